// Package media checks and cleans uploaded photos: it accepts JPEG, PNG and WebP judged by their
// content (never by the name or the client's content type), turns the picture upright from its
// EXIF orientation, scales very large pictures down, and re-encodes everything as a fresh JPEG,
// so no metadata (GPS location, device, time) survives.
//
// Memory is bounded before anything is decoded. A small file can claim a huge picture (a
// 389 KB PNG of 7071×7071 16-bit pixels decodes to 400 MB), so the cost of a picture is worked
// out from its header — width × height × the bytes a pixel of the decoder's image takes, with the
// decoders' extra buffers — and a picture over MaxPixels or MaxDecodeBytes is refused unread. The
// pictures accepted take turns within a Cleaner's memory budget and slots; one that does not get
// its turn within the cleaner's wait is turned away (ErrBusy) for the client to send again.
package media

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	_ "image/png" // registered decoder
	"io"
	"runtime"
	"time"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registered decoder
)

// Limits of an accepted photo.
const (
	MaxBytes  = 10 << 20 // 10 MB as uploaded
	MaxPixels = 50e6     // 50 megapixels
	// MaxDecodeBytes bounds the memory decoding one picture may take, worked out from its header
	// before it is decoded: a 48-megapixel phone JPEG takes 72 MB, a 16-bit RGBA PNG of
	// 7071×7071 (a few hundred KB of file) 400 MB.
	MaxDecodeBytes = 100 << 20
	MaxLongSide    = 2560 // larger pictures are scaled down; a projector wall is 1920 wide
	jpegQuality    = 85
	sniffLen       = 16
	contentJPEG    = "image/jpeg"
	contentPNG     = "image/png"
	contentWebP    = "image/webp"
	outputFormat   = contentJPEG
)

// Settings of the Shared cleaner, sized for a small server: a few phone photos at once.
const (
	// SharedMemory is what all pictures being cleaned at once may hold: the largest picture
	// allowed (MaxDecodeBytes decoded, MaxBytes read, its scaled copies) fits, two phone photos
	// of 12 megapixels (about 80 MB each) fit side by side.
	SharedMemory = 192 << 20
	// SharedWait is how long a picture waits for memory or a slot before it is turned away.
	SharedWait = 10 * time.Second
	// RetryAfter is how long a picture turned away should wait before it is sent again.
	RetryAfter = 5 * time.Second
	// gcAfter is the cost above which a cleaned picture's memory is collected before the next
	// picture is let in, so that its garbage and the next one's pictures never add up.
	gcAfter = 16 << 20
)

// Errors a caller maps to user messages.
var (
	ErrTooLarge       = errors.New("photo file too large")
	ErrTooManyPixels  = errors.New("photo has too many pixels")
	ErrTooBigToDecode = errors.New("photo takes too much memory to decode")
	ErrBusy           = errors.New("too many photos being cleaned; try again shortly")
	ErrUnsupported    = errors.New("not a JPEG, PNG or WebP picture")
	ErrCorrupt        = errors.New("picture cannot be decoded")
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

// Cleaner cleans pictures within a memory budget: each picture's cost (its decoded size, the
// file, its scaled copies) is worked out from its header before anything is decoded, pictures
// too costly on their own are refused, and the others take turns so that the pictures being
// cleaned at once never hold more than the budget, nor more run at once than there are slots.
type Cleaner struct {
	lim  *limiter
	wait time.Duration
}

// NewCleaner makes a cleaner whose pictures hold at most memory bytes together, at most slots of
// them decoded at once (0 takes none), each waiting at most wait for its turn.
func NewCleaner(memory int64, slots int, wait time.Duration) *Cleaner {
	return &Cleaner{lim: &limiter{budget: memory, slots: slots}, wait: wait}
}

// Shared is the process's cleaner: its budget bounds the server's memory however many uploads
// arrive at once.
var Shared = NewCleaner(SharedMemory, max(1, runtime.GOMAXPROCS(0)), SharedWait)

// Clean reads a picture of at most MaxBytes from r and returns it re-encoded. It answers
// ErrTooLarge, ErrUnsupported, ErrCorrupt, ErrTooManyPixels and ErrTooBigToDecode from the file's
// size and header alone, and ErrBusy when its turn did not come within the cleaner's wait (or
// ctx ended first).
func (c *Cleaner) Clean(ctx context.Context, r io.ReadSeeker) (*Photo, error) {
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	if size > MaxBytes {
		return nil, ErrTooLarge
	}
	var head [sniffLen]byte
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	n, _ := io.ReadFull(r, head[:])
	kind := Sniff(head[:n])
	if kind == "" {
		return nil, ErrUnsupported
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	est, err := estimate(r, kind, size)
	switch {
	case err != nil:
		return nil, err
	case float64(est.pixels) > MaxPixels:
		return nil, ErrTooManyPixels
	case est.decode > MaxDecodeBytes || est.total > c.lim.budget:
		return nil, ErrTooBigToDecode
	}
	if !c.lim.acquire(ctx, est.total, c.wait) {
		return nil, ErrBusy
	}
	defer c.lim.release(est.total)
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	raw := make([]byte, size)
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, err
	}
	p, err := clean(raw, kind)
	if est.total >= gcAfter {
		// clean's pictures are garbage now: collect them while this turn is still held.
		runtime.GC()
	}
	return p, err
}

// clean decodes, scales, turns upright and re-encodes a picture whose cost was allowed.
func clean(raw []byte, kind string) (*Photo, error) {
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, ErrCorrupt
	}
	// Scale first: turning a smaller picture upright is cheaper, and the result is the same.
	img = fit(img, MaxLongSide)
	if kind == contentJPEG {
		img = orient(img, exifOrientation(raw))
	}
	img = flatten(img)
	b := img.Bounds()
	var out bytes.Buffer
	out.Grow(b.Dx() * b.Dy() / 2)
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return nil, err
	}
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

// flatten puts transparent pictures on white, since JPEG has no alpha. An *image.RGBA (the
// scaled or turned copy, always this package's own) is flattened in place.
func flatten(img image.Image) image.Image {
	switch m := img.(type) {
	case *image.YCbCr, *image.Gray:
		return img
	case *image.RGBA:
		// Premultiplied colour over white: each channel gains what the alpha leaves uncovered.
		b := m.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y):m.PixOffset(b.Max.X, y)]
			for i := 0; i < len(row); i += 4 {
				if a := row[i+3]; a != 0xFF {
					left := 0xFF - a
					row[i], row[i+1], row[i+2], row[i+3] = row[i]+left, row[i+1]+left, row[i+2]+left, 0xFF
				}
			}
		}
		return m
	}
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Over)
	return dst
}
