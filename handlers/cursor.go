package handlers

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Cursors are opaque to clients: base64 of "c:<id>".
func encodeCursor(id uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("c:" + strconv.FormatUint(id, 10)))
}

func decodeCursor(s string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(b), "c:") {
		return 0, badRequest("bad_cursor", nil)
	}
	id, err := strconv.ParseUint(string(b[2:]), 10, idBits)
	if err != nil {
		return 0, badRequest("bad_cursor", nil)
	}
	return id, nil
}
