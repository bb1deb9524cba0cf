// Package bench measures the figures of SPEC section 10 in one run on this
// machine and prints them as one markdown table beside their targets
// (`xfwatch bench`, `make bench`): the raw stages of ingest and the whole of
// it, freshness, recompute, record to alert, the web views at scale, and the
// peak memory of the ingest process and of the engine, each in its own
// process as in production.
package bench
