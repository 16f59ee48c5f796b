package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// cleanBytes cleans a picture with a cleaner of the shared size that never waits.
func cleanBytes(b []byte) (*Photo, error) {
	return NewCleaner(SharedMemory, 2, 0).Clean(context.Background(), bytes.NewReader(b))
}

// jpegWithExif encodes a w×h picture and splices in an APP1 EXIF block that carries an
// orientation tag and a fake GPS string, as a phone camera would.
func jpegWithExif(t testing.TB, w, h, orientation int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, 0, color.RGBA{255, 0, 0, 255})
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	tiff := []byte("II*\x00")
	tiff = binary.LittleEndian.AppendUint32(tiff, 8)
	tiff = binary.LittleEndian.AppendUint16(tiff, 1)
	tiff = binary.LittleEndian.AppendUint16(tiff, 0x0112)
	tiff = binary.LittleEndian.AppendUint16(tiff, 3)
	tiff = binary.LittleEndian.AppendUint32(tiff, 1)
	tiff = binary.LittleEndian.AppendUint16(tiff, uint16(orientation))
	tiff = binary.LittleEndian.AppendUint16(tiff, 0)
	tiff = binary.LittleEndian.AppendUint32(tiff, 0)
	tiff = append(tiff, []byte("GPS 30.6N 114.3E SECRET-LOCATION")...)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xFF, 0xE1}
	app1 = binary.BigEndian.AppendUint16(app1, uint16(len(seg)+2))
	app1 = append(app1, seg...)
	raw := buf.Bytes()
	return append(append(append([]byte{}, raw[:2]...), app1...), raw[2:]...)
}

func TestClean(t *testing.T) {
	t.Run("DropsExifAndTurnsUpright", func(t *testing.T) {
		in := jpegWithExif(t, 40, 20, 6)
		if !bytes.Contains(in, []byte("SECRET-LOCATION")) {
			t.Fatal("test picture has no EXIF")
		}
		p, err := cleanBytes(in)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(p.Data, []byte("SECRET-LOCATION")) || bytes.Contains(p.Data, []byte("Exif")) {
			t.Fatal("EXIF survived the re-encode")
		}
		if p.Width != 20 || p.Height != 40 {
			t.Fatalf("size=%dx%d, want 20x40 (orientation 6 turns it)", p.Width, p.Height)
		}
		if _, err := jpeg.Decode(bytes.NewReader(p.Data)); err != nil {
			t.Fatalf("output is not a JPEG: %v", err)
		}
	})
	t.Run("PNGBecomesJPEG", func(t *testing.T) {
		var buf bytes.Buffer
		if err := png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 3000, 1000))); err != nil {
			t.Fatal(err)
		}
		p, err := cleanBytes(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if p.ContentType != "image/jpeg" || p.Source != "image/png" || p.Width != MaxLongSide || p.Height != 853 {
			t.Fatalf("photo=%s from %s %dx%d", p.ContentType, p.Source, p.Width, p.Height)
		}
	})
	t.Run("ErrNotAPicture", func(t *testing.T) {
		_, err := cleanBytes([]byte("<svg xmlns='http://www.w3.org/2000/svg'></svg>"))
		if !errors.Is(err, ErrUnsupported) {
			t.Fatalf("err=%v, want ErrUnsupported", err)
		}
	})
	t.Run("ErrTruncated", func(t *testing.T) {
		in := jpegWithExif(t, 40, 20, 1)
		_, err := cleanBytes(in[:len(in)/3])
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("err=%v, want ErrCorrupt", err)
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		big := make([]byte, MaxBytes+10)
		copy(big, []byte{0xFF, 0xD8, 0xFF})
		if _, err := cleanBytes(big); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err=%v, want ErrTooLarge", err)
		}
	})
	t.Run("ErrDecompressionBomb", func(t *testing.T) {
		// A PNG header that claims 60000×60000 pixels.
		var buf bytes.Buffer
		if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		binary.BigEndian.PutUint32(b[16:], 60000)
		binary.BigEndian.PutUint32(b[20:], 60000)
		binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29])) // IHDR's CRC
		if _, err := cleanBytes(b); !errors.Is(err, ErrTooManyPixels) {
			t.Fatalf("err=%v, want ErrTooManyPixels", err)
		}
	})
}
