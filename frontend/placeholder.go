//go:build !embedui

package frontend

import (
	"embed"
	"io/fs"
)

// placeholder is a single page that tells an operator how to get the real UI,
// so a binary built without the web build still answers "/" with something
// useful instead of a bare 404.
//
//go:embed placeholder/index.html
var placeholder embed.FS

// Dist returns a file system holding only a placeholder index.html, and false
// because this binary was built without the embedui tag.
func Dist() (fs.FS, bool) {
	sub, err := fs.Sub(placeholder, "placeholder")
	if err != nil {
		// fs.Sub fails only on an invalid path, and "placeholder" is a constant.
		panic(err)
	}
	return sub, false
}
