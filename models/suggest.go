package models

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// DefaultSuggestThreshold is the mean cosine similarity a group of cards must keep to be
// suggested. Character bigrams of short, freely worded cards overlap little, so the figures are
// low: on the 安友花园 elevator cards of the tests, paraphrases of one idea score 0.05–0.43 as
// pairs and 0.12–0.24 as groups, while a pair from two different ideas stays at or below 0.10.
// Every idea comes out whole and pure from 0.06 to 0.08; at 0.05 construction noise and parking
// during construction fuse into one "construction" group (the next KJ level up), and from 0.09
// the loosest paraphrases fall out. 0.07 is the middle of that range.
const DefaultSuggestThreshold = 0.07

// minBigrams is the fewest distinct bigrams a card needs before its single characters stop
// counting: a card of two or three characters ("种树", "反对") has too few bigrams to be
// compared at all without them.
const minBigrams = 3

// CardText is the text of one card as the grouping suggestions see it.
type CardText struct {
	ID   uint64 `json:"id"`
	Body string `json:"body"`
}

// Suggestion is one proposed group of near-duplicate cards: the facilitator accepts it by
// putting the cards into one cluster, so cards are never merged or rewritten here.
type Suggestion struct {
	// CardIDs holds at least two card ids, ascending.
	CardIDs []uint64 `json:"card_ids"`
	// Score is the mean cosine similarity over all pairs of the group's cards, in (0, 1]; it is
	// never below the threshold the group was formed with.
	Score float64 `json:"score"`
}

// SuggestOptions tunes SuggestClusters.
type SuggestOptions struct {
	// Threshold overrides DefaultSuggestThreshold when positive: higher asks for closer
	// duplicates and fewer, smaller groups.
	Threshold float64
	// Exclude lists cards the facilitator has already put into a cluster. They are never
	// suggested, but their words still count towards how common a word is, so the scores of
	// the remaining suggestions stay put while the facilitator works through the pile.
	Exclude []uint64
}

// SuggestClusters proposes groups of near-duplicate solution cards (KJ method, docs/domain.md "The round table"),
// so that similar ideas are clustered before the dot vote instead of splitting its dots.
//
// Each body is normalised (NFKC, which folds full-width letters and digits; lower case; Arabic
// digits written as Chinese numerals so "1楼" meets "一楼"; a few traditional characters mapped
// to simplified ones; punctuation, spaces and emoji dropped) and cut at stop characters and
// stop words ("的", "建议", "我们", …). The pieces give character bigrams, plus single
// characters for very short cards; terms are weighted by TF-IDF over the given cards and cards
// are compared by cosine similarity.
//
// Groups come from average-linkage agglomerative clustering stopped at the threshold: two groups
// merge only while the mean similarity over all their cross pairs stays at or above it. Single
// linkage (connected components of the pairs above a threshold) was rejected because one card
// that mentions two ideas chains both ideas into one group; average linkage needs most pairs
// to agree. Each merge is found with a cached best neighbour per group, so 500 cards take
// O(n²) time and memory in practice.
//
// Output is deterministic whatever the input order: suggestions by score, highest first, then
// by smallest card id. A card id given twice counts once (the first body).
func SuggestClusters(cards []CardText, opts SuggestOptions) []Suggestion {
	threshold := opts.Threshold
	if threshold <= 0 {
		threshold = DefaultSuggestThreshold
	}
	sorted := slices.Clone(cards)
	slices.SortStableFunc(sorted, func(a, b CardText) int { return cmp.Compare(a.ID, b.ID) })
	sorted = slices.CompactFunc(sorted, func(a, b CardText) bool { return a.ID == b.ID })

	excluded := make(map[uint64]bool, len(opts.Exclude))
	for _, id := range opts.Exclude {
		excluded[id] = true
	}
	vecs := tfidf(sorted)
	var ids []uint64
	var active []termVector
	for i, c := range sorted {
		if !excluded[c.ID] && len(vecs[i]) > 0 {
			ids = append(ids, c.ID)
			active = append(active, vecs[i])
		}
	}
	if len(active) < 2 {
		return []Suggestion{}
	}
	sim := similarities(active)
	groups := averageLinkage(slices.Clone(sim), len(active), threshold)

	out := []Suggestion{}
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		var sum float64
		for a := range g {
			for b := a + 1; b < len(g); b++ {
				sum += sim[g[a]*len(active)+g[b]]
			}
		}
		s := Suggestion{CardIDs: make([]uint64, len(g)), Score: sum / float64(len(g)*(len(g)-1)/2)}
		for k, i := range g {
			s.CardIDs[k] = ids[i]
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Suggestion) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.CardIDs[0], b.CardIDs[0])
	})
	return out
}

// termWeight is one term of a card's vector; vectors are sorted by term so that every sum over
// them runs in the same order and the output does not depend on map iteration.
type termWeight struct {
	term int
	w    float64
}

type termVector []termWeight

// tfidf gives each card a unit-length vector of sublinear TF times smoothed IDF. The smoothed
// IDF, ln((1+n)/(1+df))+1, keeps a word that every card shares at a small positive weight, so
// that two identical cards alone still score 1 instead of 0.
func tfidf(cards []CardText) []termVector {
	index := map[string]int{}
	var df []int
	counts := make([]map[int]int, len(cards))
	for i, c := range cards {
		counts[i] = map[int]int{}
		for _, t := range cardTerms(c.Body) {
			k, ok := index[t]
			if !ok {
				k = len(df)
				index[t] = k
				df = append(df, 0)
			}
			if counts[i][k] == 0 {
				df[k]++
			}
			counts[i][k]++
		}
	}
	n := float64(len(cards))
	vecs := make([]termVector, len(cards))
	for i, tc := range counts {
		v := make(termVector, 0, len(tc))
		for k, tf := range tc {
			w := (1 + math.Log(float64(tf))) * (math.Log((1+n)/(1+float64(df[k]))) + 1)
			v = append(v, termWeight{k, w})
		}
		slices.SortFunc(v, func(a, b termWeight) int { return cmp.Compare(a.term, b.term) })
		var norm2 float64
		for _, tw := range v {
			norm2 += tw.w * tw.w
		}
		l := math.Sqrt(norm2)
		for j := range v {
			v[j].w /= l
		}
		vecs[i] = v
	}
	return vecs
}

// similarities returns the full symmetric n×n cosine matrix, row-major, built through an
// inverted index so that pairs sharing no term cost nothing.
func similarities(vecs []termVector) []float64 {
	n := len(vecs)
	type posting struct {
		card int
		w    float64
	}
	postings := map[int][]posting{}
	for i, v := range vecs {
		for _, tw := range v {
			postings[tw.term] = append(postings[tw.term], posting{i, tw.w})
		}
	}
	sim := make([]float64, n*n)
	for i, v := range vecs {
		row := sim[i*n : (i+1)*n]
		for _, tw := range v {
			for _, p := range postings[tw.term] {
				if p.card > i {
					row[p.card] += tw.w * p.w
				}
			}
		}
		for j := i + 1; j < n; j++ {
			sim[j*n+i] = row[j]
		}
	}
	return sim
}

// averageLinkage clusters n items by the similarity matrix sim (which it overwrites with the
// group-to-group similarities) until no two groups are at least threshold alike, and returns
// the groups as ascending item indices. A merged group keeps the lower index, and ties go to
// the lowest indices, so the result depends only on the matrix.
func averageLinkage(sim []float64, n int, threshold float64) [][]int {
	members := make([][]int, n)
	alive := make([]bool, n)
	best := make([]int, n)
	bestSim := make([]float64, n)
	for i := range n {
		members[i] = []int{i}
		alive[i] = true
	}
	refresh := func(i int) {
		best[i], bestSim[i] = -1, math.Inf(-1)
		for j := range n {
			if j != i && alive[j] && sim[i*n+j] > bestSim[i] {
				best[i], bestSim[i] = j, sim[i*n+j]
			}
		}
	}
	for i := range n {
		refresh(i)
	}
	for {
		a := -1
		for i := range n {
			if alive[i] && best[i] >= 0 && (a < 0 || bestSim[i] > bestSim[a]) {
				a = i
			}
		}
		if a < 0 || bestSim[a] < threshold {
			break
		}
		b := best[a]
		if b < a {
			a, b = b, a
		}
		// Lance–Williams update for average linkage: the similarity to the merged group is the
		// size-weighted mean of the similarities to its two parts.
		na, nb := float64(len(members[a])), float64(len(members[b]))
		for k := range n {
			if alive[k] && k != a && k != b {
				s := (na*sim[a*n+k] + nb*sim[b*n+k]) / (na + nb)
				sim[a*n+k], sim[k*n+a] = s, s
			}
		}
		members[a] = append(members[a], members[b]...)
		slices.Sort(members[a])
		members[b], alive[b] = nil, false
		refresh(a)
		for k := range n {
			if !alive[k] || k == a {
				continue
			}
			if best[k] == a || best[k] == b {
				refresh(k)
			} else if s := sim[k*n+a]; s > bestSim[k] || (s == bestSim[k] && a < best[k]) {
				best[k], bestSim[k] = a, s
			}
		}
	}
	var groups [][]int
	for i := range n {
		if alive[i] {
			groups = append(groups, members[i])
		}
	}
	return groups
}

// stopRunes are function characters that join ideas rather than carry them, including the
// Wuhan sentence particles 撒, 咧 and 啵; a card is cut at each of them, so "给一楼的补偿" and
// "一楼补偿" share "一楼" and "补偿" and nothing spurious. Characters that are also part of
// content words on these cards (请 in 申请, 地 in 地下车库, 会 in 业委会) are left out.
var stopRunes = func() map[rune]bool {
	m := map[rune]bool{}
	for _, r := range "的了是在和与及或也都就还把被给吧呢啊吗呀哦嘛啦撒咧啵着要能让我你他她它咱这那很得" {
		m[r] = true
	}
	return m
}()

// stopWords are the phrases residents wrap around an idea ("我建议", "希望能", "大家觉得"),
// which every card set repeats whatever the topic, and the people every card is about (小区,
// 住户, 居民), which otherwise tie "高层住户" to "低层住户" across two ideas. Longer ones are
// tried first.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`我们 你们 他们 咱们 大家 可以 可不可以 能不能 是不是 是否 建议 提议
		希望 应该 应当 一下 觉得 认为 如果 或者 一定 需要 必须 进行 问题 这个 那个 这样 那样
		一些 一点 比较 最好 尽量 还是 然后 因为 所以 但是 就是 而且 不过 一个 什么 怎么 小区 住户 居民`) {
		m[w] = true
	}
	return m
}()

// maxStopWord is the length in characters of the longest stop word.
const maxStopWord = 4

// variants maps traditional forms that turn up on cards typed with a traditional-character input
// method to the simplified forms the rest use. It covers the words of these meetings only; it
// is not a converter.
var variants = func() map[rune]rune {
	m := map[rune]rune{}
	pairs := []string{"裏里", "裡里", "樓楼", "層层", "電电", "費费", "補补", "償偿", "貼贴", "單单",
		"車车", "錢钱", "時时", "間间", "聲声", "區区", "舊旧", "業业", "戶户", "門门", "燈灯",
		"裝装", "設设", "決决", "議议", "見见", "萬万", "兩两", "擋挡", "攤摊", "減减", "輕轻",
		"擔担", "務务", "幫帮", "劃划", "場场", "佔占", "樹树", "遞递", "櫃柜", "維维", "後后",
		"這这", "們们", "個个", "為为", "會会", "該该", "應应", "給给", "讓让", "還还", "對对",
		"請请", "負负", "資资", "積积"}
	for _, p := range pairs {
		r := []rune(p)
		m[r[0]] = r[1]
	}
	return m
}()

// chineseDigits writes Arabic digits as Chinese numerals, digit by digit: "1楼" and "一楼" then
// agree, and the rarer multi-digit numbers stay consistent between cards.
var chineseDigits = []rune("〇一二三四五六七八九")

// cardTerms returns a card's terms: the bigrams of each piece between stop characters and stop
// words, and, when the card has fewer than minBigrams distinct bigrams, its single characters.
func cardTerms(body string) []string {
	var pieces [][]rune
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			pieces = append(pieces, cur)
			cur = nil
		}
	}
	text := normalizeCard(body)
	for i := 0; i < len(text); {
		if l := stopWordAt(text[i:]); l > 0 {
			flush()
			i += l
			continue
		}
		if stopRunes[text[i]] {
			flush()
		} else {
			cur = append(cur, text[i])
		}
		i++
	}
	flush()

	var terms []string
	seen := map[string]bool{}
	for _, p := range pieces {
		for i := 0; i+1 < len(p); i++ {
			t := string(p[i : i+2])
			terms = append(terms, t)
			seen[t] = true
		}
	}
	if len(seen) < minBigrams {
		for _, p := range pieces {
			for _, r := range p {
				terms = append(terms, string(r))
			}
		}
	}
	return terms
}

// stopWordAt returns the length of the longest stop word at the start of text, or 0.
func stopWordAt(text []rune) int {
	for l := min(maxStopWord, len(text)); l >= 2; l-- {
		if stopWords[string(text[:l])] {
			return l
		}
	}
	return 0
}

// normalizeCard folds a body to the characters that carry its meaning. Punctuation, spaces and
// emoji are dropped outright rather than treated as breaks: residents put a comma, a space or
// nothing at all between the same two phrases, and those cards must compare as equal; the one
// bigram this invents across each dropped mark is rare and weighs little next to the rest.
func normalizeCard(body string) []rune {
	var out []rune
	for _, r := range norm.NFKC.String(body) {
		r = unicode.ToLower(r)
		if v, ok := variants[r]; ok {
			r = v
		}
		switch {
		case r >= '0' && r <= '9':
			out = append(out, chineseDigits[r-'0'])
		case unicode.IsLetter(r) || unicode.IsNumber(r) && unicode.Is(unicode.Han, r):
			out = append(out, r)
		}
	}
	return out
}
