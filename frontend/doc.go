// Package frontend holds the Vue web UI of Yueyuetan and hands it to the Go
// server as a file system.
//
// Built with the embedui tag (after `npm run build` in this folder), Dist
// returns the Vite output from dist/. Without the tag it returns a small
// placeholder page, so the server builds and runs on a machine without Node.
// The server serves the returned file system with a history fallback to
// index.html for every path outside /api.
package frontend
