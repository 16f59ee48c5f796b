package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// noticeRoutes: the public meeting notice (docs/paper.md "The public notice"), with no login,
// like the public board: what the printed notice on the stairwell door says, and nothing more.
func (a *App) noticeRoutes(g *echo.Group) {
	g.GET("/public/meetings/:id/notice", a.publicNotice)
}

// noticeAnswer is a public notice with its links: the notice page itself (the link to share) and
// the card form (which asks for a login, as every card does).
type noticeAnswer struct {
	*models.Notice
	NoticeURL string `json:"notice_url"`
	CardURL   string `json:"card_url"`
}

// publicNotice answers GET /public/meetings/:id/notice. A malformed id, an unknown one and a
// meeting whose notice is not public answer the same plain 404.
func (a *App) publicNotice(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return models.Errorf(models.ENOTFOUND, "not_found")
	}
	n, err := a.store.PublicNotice(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, noticeAnswer{Notice: n, NoticeURL: a.siteURL(c, noticePagePath(n.MeetingID)),
		CardURL: a.siteURL(c, fmt.Sprintf("/cycles/%d/cards/new", n.CycleID))})
}

// noticePagePath is the notice page's path, the one the SPA route /notice/:id shows.
func noticePagePath(meetingID uint64) string { return "/notice/" + strconv.FormatUint(meetingID, 10) }

// noticePage matches the notice page's path as the SPA fallback sees it (no leading slash).
var noticePage = regexp.MustCompile(`^notice/([1-9][0-9]{0,19})$`)

// siteURL makes an absolute link on the site: on the configured base URL, else on the request's
// own scheme and host.
func (a *App) siteURL(c echo.Context, p string) string {
	base := strings.TrimRight(a.cfg.BaseURL, "/")
	if base == "" {
		base = c.Scheme() + "://" + c.Request().Host
	}
	return base + p
}

// serveNoticePage answers the SPA's index.html for /notice/:id with that notice's title,
// description and address in its <title> and Open Graph tags, so a link shared in a WeChat group
// (whose crawler runs no JavaScript) shows the meeting. It reports false, having written nothing,
// when p is not a notice page or the notice is not public (or cannot be read now): the caller then
// serves the generic page, so the page tells no more about a meeting than the API does.
//
// The page is made from the plain index.html on each request — never from the build's .br/.gz
// siblings, which carry the generic tags — and goes out uncompressed (it is a few kilobytes),
// with no-cache and an ETag of its own bytes, so a browser revalidates it and gets the page of the
// notice as it now is.
func (a *App) serveNoticePage(c echo.Context, index *uiFile, p string) bool {
	m := noticePage.FindStringSubmatch(p)
	if m == nil || a.store == nil {
		return false
	}
	id, err := strconv.ParseUint(m[1], 10, 64)
	if err != nil {
		return false
	}
	n, err := a.store.PublicNotice(c.Request().Context(), id)
	if err != nil {
		if models.ErrorCode(err) != models.ENOTFOUND {
			a.log.Warn("notice page served without its preview", "meeting_id", id, "err", err)
		}
		return false
	}
	loc := localeOf(c)
	body := noticeHTML(index.plain.body, noticeTags(loc, n, a.siteURL(c, noticePagePath(n.MeetingID)),
		a.siteURL(c, "/icons/icon-512.png")))
	sum := sha256.Sum256(body)
	w := c.Response()
	h := w.Header()
	h.Set("Content-Type", index.contentType)
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Language", loc)
	h.Add("Vary", "Accept-Language")
	h.Set("ETag", `"n-`+hex.EncodeToString(sum[:12])+`"`)
	http.ServeContent(w, c.Request(), "index.html", time.Time{}, bytes.NewReader(body))
	return true
}

// previewTags are the texts of a notice's link preview, not yet escaped.
type previewTags struct {
	title, description, url, image, locale string
}

// noticeTags words a notice's preview in the reader's language: "安友花园 · 12月月月谈：停车难怎么办",
// and the time (in the community's zone) and place, the topic, and how to take part.
func noticeTags(loc string, n *models.Notice, pageURL, imageURL string) previewTags {
	title := T(loc, "notice.og_title", map[string]any{"compound": n.Compound.Name, "title": n.Title})
	desc := T(loc, "notice.og_description", map[string]any{"time": noticeTime(loc, n.StartsAt), "place": n.Location})
	if n.Topic != "" && n.Topic != n.Title {
		desc += T(loc, "notice.og_topic", map[string]any{"topic": n.Topic})
	}
	if n.CardsOpen {
		desc += T(loc, "notice.og_invite", nil)
	} else {
		desc += T(loc, "notice.og_invite_plain", nil)
	}
	ogLocale := "zh_CN"
	if loc == LocaleEN {
		ogLocale = "en_US"
	}
	return previewTags{title: title, description: desc, url: pageURL, image: imageURL, locale: ogLocale}
}

// noticeTime writes a meeting's start in the community's zone: 2026年12月12日 周六 19:30.
func noticeTime(loc string, t time.Time) string {
	t = t.In(shanghaiZone) // models.NoticeZone
	// The month as its number in Chinese (12月), by its short name in English (Dec).
	var month any = int(t.Month())
	if loc == LocaleEN {
		month = t.Month().String()[:3]
	}
	return T(loc, "notice.time_format", map[string]any{
		"year": t.Year(), "month": month, "day": t.Day(),
		"weekday": T(loc, "notice.weekday."+strconv.Itoa(int(t.Weekday())), nil), "clock": t.Format("15:04"),
	})
}

// genericPreview matches the tags a notice page replaces: the <title>, the description and the
// Open Graph title, description, address, image and locale.
var genericPreview = regexp.MustCompile(`(?ims)(?:^[ \t]*)?(?:<title>.*?</title>|<meta\s+(?:name|property)\s*=\s*"(?:description|og:title|og:description|og:url|og:image|og:locale|og:type)"[^>]*>)[ \t]*\r?\n?`)

// noticeHTML is index.html with its generic preview replaced by the notice's, every text escaped
// for HTML. The new tags go where the first replaced one stood (else before </head>).
func noticeHTML(index []byte, t previewTags) []byte {
	e := html.EscapeString
	var tags strings.Builder
	fmt.Fprintf(&tags, `    <title>%s</title>`+"\n", e(t.title))
	fmt.Fprintf(&tags, `    <meta name="description" content="%s" />`+"\n", e(t.description))
	fmt.Fprintf(&tags, `    <meta property="og:type" content="article" />`+"\n")
	fmt.Fprintf(&tags, `    <meta property="og:title" content="%s" />`+"\n", e(t.title))
	fmt.Fprintf(&tags, `    <meta property="og:description" content="%s" />`+"\n", e(t.description))
	fmt.Fprintf(&tags, `    <meta property="og:url" content="%s" />`+"\n", e(t.url))
	fmt.Fprintf(&tags, `    <meta property="og:image" content="%s" />`+"\n", e(t.image))
	fmt.Fprintf(&tags, `    <meta property="og:locale" content="%s" />`+"\n", e(t.locale))
	first := genericPreview.FindIndex(index)
	rest := genericPreview.ReplaceAll(index, nil)
	at := -1
	if first != nil {
		at = first[0]
	} else if i := bytes.Index(bytes.ToLower(rest), []byte("</head>")); i >= 0 {
		at = i
	}
	if at < 0 {
		return rest
	}
	out := make([]byte, 0, len(rest)+tags.Len())
	out = append(out, rest[:at]...)
	out = append(out, tags.String()...)
	return append(out, rest[at:]...)
}
