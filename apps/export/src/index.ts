/** @spotpipe/export — work in progress. */
export {}
