/** @spotpipe/core — work in progress. */
export {}
