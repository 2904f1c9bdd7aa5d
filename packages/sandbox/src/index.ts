/** @spotpipe/sandbox — work in progress. */
export {}
