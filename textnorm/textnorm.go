// Package textnorm puts the text people type into one canonical form before it is checked and
// stored, so that what looks blank is blank and what is shown is what was meant:
//
//   - invalid UTF-8 becomes U+FFFD;
//   - control characters (C0, DEL, C1) are removed, except that a long text keeps its line breaks
//     (CR LF, CR, NEL, U+2028 and U+2029 become LF) and tabs become spaces; a single-line text
//     has its line breaks turned into spaces too;
//   - invisible characters that carry no meaning in this product's text (zero-width space, word
//     joiner, BOM, soft hyphen, the Hangul fillers, invisible operators, the left-to-right and
//     right-to-left marks, …) are removed;
//   - bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which
//     reorder what is displayed so that text reads differently from what it holds, are refused
//     with ErrBidi rather than silently dropped, so the writer learns why;
//   - the result is put in Unicode normalization form C and trimmed of white space at both ends;
//   - a text made only of white space and characters that draw nothing (zero-width joiners,
//     variation selectors, the Braille blank, …) becomes empty, so a "required" rule fires.
//
// Zero-width joiners and variation selectors are kept inside text: emoji sequences (👨‍👩‍👧, ❤️)
// need them; so are tag characters right after a black flag (the flags of Scotland or Wales),
// while anywhere else they are removed, since they can carry text nobody sees. The left-to-right and right-to-left marks are removed rather than refused: they only
// nudge punctuation next to right-to-left letters, which this product's Chinese text does not use,
// and they arrive unseen in text pasted from other apps.
//
// Struct applies Clean to every string field of a request struct, so that an endpoint gets the
// rules by being decoded, without naming its fields anywhere.
package textnorm

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Kind says how a text treats line breaks.
type Kind int

// Kinds of text.
const (
	// Line is a name, a title, a label: line breaks become spaces.
	Line Kind = iota
	// Multiline is a body, a description, a reason, minutes: line breaks stay (as LF).
	Multiline
)

// ErrBidi reports a bidirectional embedding, override or isolate in a text.
var ErrBidi = errors.New("text holds a bidirectional control character")

// Clean returns s in canonical form, or ErrBidi.
func Clean(s string, k Kind) (string, error) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	b.Grow(len(s))
	flag := false // inside a subdivision flag: U+1F3F4 and its tag characters
	for i, r := range s {
		isTag := r >= 0xE0000 && r <= 0xE007F
		flag = r == 0x1F3F4 || (flag && isTag)
		switch {
		case isBidiControl(r):
			return "", ErrBidi
		case isTag && !flag:
			// Tag characters outside a flag draw nothing and can carry hidden text: dropped.
		case r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			// the LF that follows is the line break
		case r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			if k == Multiline {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		case r == '\t' || r == '\v' || r == '\f':
			b.WriteByte(' ')
		case r < 0x20 || (r >= 0x7F && r <= 0x9F) || isInvisible(r):
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	out := strings.TrimFunc(norm.NFC.String(b.String()), isBlank)
	if strings.IndexFunc(out, func(r rune) bool { return !isBlank(r) && !drawsNothing(r) }) < 0 {
		return "", nil
	}
	return out, nil
}

// IsBlank reports whether s holds nothing visible once cleaned (or cannot be cleaned).
func IsBlank(s string) bool {
	out, err := Clean(s, Multiline)
	return err == nil && out == ""
}

// isBidiControl reports the explicit directional embeddings, overrides and isolates.
func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

// isInvisible reports characters that draw nothing and mean nothing in this product's text,
// removed wherever they stand.
func isInvisible(r rune) bool {
	switch r {
	case '\u00AD', // soft hyphen
		'\u034F',           // combining grapheme joiner
		'\u061C',           // Arabic letter mark
		'\u115F', '\u1160', // Hangul choseong and jungseong fillers
		'\u17B4', '\u17B5', // Khmer inherent vowels (invisible)
		'\u180E',           // Mongolian vowel separator
		'\u200B',           // zero-width space
		'\u200E', '\u200F', // left-to-right and right-to-left marks
		'\u3164', // Hangul filler
		'\uFEFF', // zero-width no-break space (BOM)
		'\uFFA0': // halfwidth Hangul filler
		return true
	}
	return (r >= '\u2060' && r <= '\u2064') || // word joiner, invisible operators
		(r >= '\u206A' && r <= '\u206F') || // deprecated format characters
		(r >= '\uFFF9' && r <= '\uFFFB') || // interlinear annotation
		(r >= 0x1BCA0 && r <= 0x1BCA3) || // shorthand format controls
		(r >= 0x1D173 && r <= 0x1D17A) // musical format controls
}

// isBlank reports white space and the joiners, which are trimmed from both ends.
func isBlank(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200C' || r == '\u200D' || r == '\u2800'
}

// drawsNothing reports characters that are kept inside text (emoji sequences need them) but
// make nothing visible on their own.
func drawsNothing(r rune) bool {
	return (r >= '\uFE00' && r <= '\uFE0F') || // variation selectors
		(r >= 0xE0100 && r <= 0xE01EF) || // variation selectors supplement
		(r >= 0xE0000 && r <= 0xE007F) // tags of a subdivision flag
}
