//go:build embedui

package frontend

import (
	"embed"
	"io/fs"
)

// dist holds the Vite build. The all: prefix keeps files whose names start
// with a dot or an underscore, which Vite may emit for hashed chunks.
//
//go:embed all:dist
var dist embed.FS

// Dist returns the built single-page app rooted at its index.html, and true
// because this binary carries the real UI.
func Dist() (fs.FS, bool) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only on an invalid path, and "dist" is a constant.
		panic(err)
	}
	return sub, true
}
