// Package media checks and cleans uploaded photos: it accepts JPEG, PNG and WebP judged by their
// content (never by the name or the client's content type), refuses oversized files and
// decompression bombs, turns the picture upright from its EXIF orientation, scales very large
// pictures down, and re-encodes everything as a fresh JPEG, so no metadata (GPS location, device,
// time) survives.
package media

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	_ "image/png" // registered decoder
	"io"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registered decoder
)

// Limits of an accepted photo.
const (
	MaxBytes     = 10 << 20 // 10 MB as uploaded
	MaxPixels    = 50e6     // refuse pictures that would need more than ~200 MB to decode
	MaxLongSide  = 2560     // larger pictures are scaled down; a projector wall is 1920 wide
	jpegQuality  = 85
	sniffLen     = 16
	contentJPEG  = "image/jpeg"
	contentPNG   = "image/png"
	contentWebP  = "image/webp"
	outputFormat = contentJPEG
)

// Errors a caller maps to user messages.
var (
	ErrTooLarge    = errors.New("photo too large")
	ErrUnsupported = errors.New("not a JPEG, PNG or WebP picture")
	ErrCorrupt     = errors.New("picture cannot be decoded")
)

// Photo is a cleaned picture.
type Photo struct {
	Data          []byte
	ContentType   string
	Width, Height int
	Source        string // the detected type of the upload
}

// Sniff names the picture type from the first bytes, or "".
func Sniff(head []byte) string {
	switch {
	case len(head) >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF:
		return contentJPEG
	case len(head) >= 8 && bytes.Equal(head[:8], []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}):
		return contentPNG
	case len(head) >= 12 && bytes.Equal(head[:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")):
		return contentWebP
	}
	return ""
}

// Clean reads at most MaxBytes from r and returns the re-encoded picture.
func Clean(r io.Reader) (*Photo, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxBytes {
		return nil, ErrTooLarge
	}
	kind := Sniff(raw[:min(len(raw), sniffLen)])
	if kind == "" {
		return nil, ErrUnsupported
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return nil, ErrCorrupt
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || float64(cfg.Width)*float64(cfg.Height) > MaxPixels {
		return nil, ErrTooLarge
	}
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, ErrCorrupt
	}
	// Scale first: turning a smaller picture upright is cheaper, and the result is the same.
	img = fit(img, MaxLongSide)
	if kind == contentJPEG {
		img = orient(img, exifOrientation(raw))
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, flatten(img), &jpeg.Options{Quality: jpegQuality}); err != nil {
		return nil, err
	}
	b := img.Bounds()
	return &Photo{Data: out.Bytes(), ContentType: outputFormat, Width: b.Dx(), Height: b.Dy(), Source: kind}, nil
}

// fit scales img down so its long side is at most max.
func fit(img image.Image, max int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= max && h <= max {
		return img
	}
	if w >= h {
		h, w = h*max/w, max
	} else {
		w, h = w*max/h, max
	}
	dst := image.NewRGBA(image.Rect(0, 0, max1(w), max1(h)))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

func max1(v int) int {
	if v < 1 {
		return 1
	}
	return v
}

// flatten puts transparent pictures on white, since JPEG has no alpha.
func flatten(img image.Image) image.Image {
	switch img.(type) {
	case *image.YCbCr, *image.Gray:
		return img
	}
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Over)
	return dst
}
