package media

import (
	"bufio"
	"encoding/binary"
	"image"
	"image/color"
	"io"
)

// cost is what cleaning one picture will hold in memory, worked out from its header alone.
type cost struct {
	pixels int64 // width × height
	decode int64 // what the decoder allocates for it
	total  int64 // decode, the upload itself and the steps after decoding (scale, turn, encode)
}

// estimate reads the header of a picture of kind (its first bytes sniffed), size bytes long,
// and works out its cost. The decoders' allocations are those of the standard library and
// golang.org/x/image: a 16-bit PNG takes 8 bytes a pixel, an interlaced one its passes besides,
// a progressive JPEG 4 bytes a sample for its coefficients, a CMYK or RGB JPEG a converted
// copy, a lossless WebP two 4-byte buffers.
func estimate(r io.ReadSeeker, kind string, size int64) (cost, error) {
	var (
		c   cost
		err error
	)
	switch kind {
	case contentJPEG:
		c, err = jpegCost(bufio.NewReaderSize(r, 4096))
	case contentPNG:
		c, err = pngCost(bufio.NewReaderSize(r, 4096))
	case contentWebP:
		c, err = webpCost(r)
	default:
		return cost{}, ErrUnsupported
	}
	if err != nil {
		return cost{}, err
	}
	c.total = c.decode + size + pipelineCost(c.pixels)
	return c, nil
}

// pipelineCost is what the steps after decoding hold for a picture of so many pixels: the scaled
// copy, a turned copy and the copy it is turned from, and the encoded output, for the picture as
// fitted into MaxLongSide (about 12 bytes a pixel of the output).
func pipelineCost(pixels int64) int64 {
	out := min(pixels, int64(MaxLongSide)*int64(MaxLongSide))
	return 12 * out
}

// config reads an image.Config through the registered decoders.
func config(br *bufio.Reader) (image.Config, error) {
	cfg, _, err := image.DecodeConfig(br)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return image.Config{}, ErrCorrupt
	}
	return cfg, nil
}

// pngCost: bytes a pixel from the colour model, twice over for an interlaced picture (each pass
// is decoded into an image of its own before they are merged).
func pngCost(br *bufio.Reader) (cost, error) {
	head, err := br.Peek(29) // signature (8), IHDR length and type (8), IHDR data (13)
	if err != nil {
		return cost{}, ErrCorrupt
	}
	interlaced := head[28] == 1
	cfg, err := config(br)
	if err != nil {
		return cost{}, err
	}
	px := int64(cfg.Width) * int64(cfg.Height)
	c := cost{pixels: px, decode: px * bytesPerPixel(cfg.ColorModel)}
	if interlaced {
		c.decode *= 2
	}
	c.decode += 2 * (int64(cfg.Width)*8 + 1) // the current and previous rows
	return c, nil
}

// bytesPerPixel is the size of a pixel of the image a decoder makes for a colour model.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4 // RGBA, NRGBA, CMYK and anything else of 8 bits a channel
}

// webpCost: lossy pictures decode to 4:2:0 YCbCr in 16-pixel macroblocks, with an alpha plane
// that is itself decoded as a lossless NRGBA picture first; lossless ones to NRGBA, with a second
// buffer for a colour-indexing transform. The image chunk decides which (an extended file's
// configuration names a YCbCr model whatever its image chunk holds), so the chunks are walked
// first, then the configuration read from the start.
func webpCost(r io.ReadSeeker) (cost, error) {
	lossless, alpha, err := webpChunks(r)
	if err != nil {
		return cost{}, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return cost{}, err
	}
	cfg, err := config(bufio.NewReader(r))
	if err != nil {
		return cost{}, err
	}
	w, h := int64(cfg.Width), int64(cfg.Height)
	px := w * h
	mb := ((w + 15) / 16 * 16) * ((h + 15) / 16 * 16)
	c := cost{pixels: px}
	switch {
	case lossless:
		c.decode = px * 8
	case alpha:
		c.decode = mb*3/2 + px*(4+1)
	default:
		c.decode = mb * 3 / 2
	}
	return c, nil
}

// webpChunks walks a WebP file's chunks to its image chunk: lossless (VP8L) or lossy (VP8),
// and whether an alpha chunk (ALPH) came before it.
func webpChunks(r io.ReadSeeker) (lossless, alpha bool, err error) {
	if _, err := r.Seek(12, io.SeekStart); err != nil { // "RIFF", the size, "WEBP"
		return false, false, err
	}
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return false, false, ErrCorrupt
		}
		n := int64(binary.LittleEndian.Uint32(hdr[4:]))
		switch string(hdr[:4]) {
		case "VP8L":
			return true, alpha, nil
		case "VP8 ":
			return false, alpha, nil
		case "ALPH":
			alpha = true
		}
		if _, err := r.Seek(n+n&1, io.SeekCurrent); err != nil { // chunks are padded to even sizes
			return false, false, ErrCorrupt
		}
	}
}

// jpegCost walks the JPEG's markers to its frame header: the decoder allocates each component's
// plane in whole 8×8 blocks of its sampling, 256 bytes a block of coefficients more for a
// progressive picture, and a 4-byte-a-pixel copy when it converts CMYK or RGB.
func jpegCost(br *bufio.Reader) (cost, error) {
	var jfif, adobeRGB bool
	var hdr [4]byte
	if _, err := io.ReadFull(br, hdr[:2]); err != nil || hdr[0] != 0xFF || hdr[1] != 0xD8 {
		return cost{}, ErrCorrupt
	}
	for {
		if _, err := io.ReadFull(br, hdr[:2]); err != nil {
			return cost{}, ErrCorrupt
		}
		for hdr[1] == 0xFF { // fill bytes before a marker
			b, err := br.ReadByte()
			if err != nil {
				return cost{}, ErrCorrupt
			}
			hdr[1] = b
		}
		marker := hdr[1]
		if hdr[0] != 0xFF {
			return cost{}, ErrCorrupt
		}
		if marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7) { // markers without a length
			continue
		}
		if _, err := io.ReadFull(br, hdr[2:4]); err != nil {
			return cost{}, ErrCorrupt
		}
		n := int(binary.BigEndian.Uint16(hdr[2:4])) - 2
		if n < 0 {
			return cost{}, ErrCorrupt
		}
		switch marker {
		case 0xC0, 0xC1, 0xC2: // baseline, extended sequential, progressive: what Go decodes
			seg := make([]byte, n)
			if _, err := io.ReadFull(br, seg); err != nil {
				return cost{}, ErrCorrupt
			}
			return frameCost(seg, marker == 0xC2, jfif, adobeRGB)
		case 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF: // lossless, hierarchical, arithmetic
			return cost{}, ErrCorrupt
		case 0xD9, 0xDA: // end of image or start of scan before any frame header
			return cost{}, ErrCorrupt
		case 0xE0, 0xEE:
			seg := make([]byte, n)
			if _, err := io.ReadFull(br, seg); err != nil {
				return cost{}, ErrCorrupt
			}
			if marker == 0xE0 && len(seg) >= 5 && string(seg[:5]) == "JFIF\x00" {
				jfif = true
			}
			if marker == 0xEE && len(seg) >= 12 && string(seg[:5]) == "Adobe" {
				adobeRGB = seg[11] == 0
			}
		default:
			if _, err := br.Discard(n); err != nil {
				return cost{}, ErrCorrupt
			}
		}
	}
}

func frameCost(seg []byte, progressive, jfif, adobeRGB bool) (cost, error) {
	if len(seg) < 6 || seg[0] != 8 {
		return cost{}, ErrCorrupt // Go decodes 8-bit samples only
	}
	h, w := int64(binary.BigEndian.Uint16(seg[1:3])), int64(binary.BigEndian.Uint16(seg[3:5]))
	nc := int(seg[5])
	if w == 0 || h == 0 || (nc != 1 && nc != 3 && nc != 4) || len(seg) < 6+3*nc {
		return cost{}, ErrCorrupt
	}
	type comp struct {
		id   byte
		h, v int64
	}
	comps := make([]comp, nc)
	var hmax, vmax int64 = 1, 1
	for i := range comps {
		b := seg[6+3*i:]
		comps[i] = comp{id: b[0], h: int64(b[1] >> 4), v: int64(b[1] & 0x0F)}
		if comps[i].h < 1 || comps[i].h > 4 || comps[i].v < 1 || comps[i].v > 4 {
			return cost{}, ErrCorrupt
		}
		hmax, vmax = max(hmax, comps[i].h), max(vmax, comps[i].v)
	}
	if nc == 1 {
		hmax, vmax, comps[0].h, comps[0].v = 1, 1, 1, 1 // a gray picture is decoded in plain 8×8 blocks
	}
	mxx, myy := (w+8*hmax-1)/(8*hmax), (h+8*vmax-1)/(8*vmax)
	var blocks int64
	for _, c := range comps {
		blocks += mxx * c.h * myy * c.v
	}
	c := cost{pixels: w * h, decode: blocks * 64}
	if progressive {
		c.decode += blocks * 256
	}
	rgb := nc == 3 && !jfif && (adobeRGB || (comps[0].id == 'R' && comps[1].id == 'G' && comps[2].id == 'B'))
	if nc == 4 || rgb {
		c.decode += 4 * w * h
	}
	return c, nil
}
