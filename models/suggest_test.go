package models_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

// elevatorCard is a solution card from the 安友花园 elevator retrofit (加装电梯) round table, with
// the idea a facilitator would file it under. "lone" cards fit no group (KJ 孤狼).
type elevatorCard struct {
	id    uint64
	idea  string
	body  string
	loose bool // a paraphrase with too few shared characters to be found; may stay alone
}

// elevatorCards are written the way residents of an old Wuhan compound write them: short,
// colloquial, with dialect particles (撒), emoji and uneven punctuation.
var elevatorCards = []elevatorCard{
	{201, "cost", "按楼层分摊费用，高层多出钱，低层少出钱", false},
	{202, "cost", "电梯费用按楼层分摊，楼层越高出得越多", false},
	{203, "cost", "建议出资比例按楼层来定，住得高的多出一点", false},
	{204, "cost", "高层住户受益多，应该多出钱，二楼三楼少出点", false},
	{205, "cost", "费用分摊：一楼不出钱，二楼往上按楼层递增", false},
	{206, "cost", "装电梯的钱按楼层高低分摊，公平合理", false},
	{207, "comp", "一楼采光受影响，要给一楼住户补偿撒", false},
	{208, "comp", "电梯挡住一楼的光线，应该给一楼适当经济补偿", false},
	{209, "comp", "一楼噪音和采光损失要补偿，不能让一楼吃亏", false},
	{210, "comp", "低层住户采光补偿标准要先定好", false},
	{211, "comp", "给一楼住户一次性补偿，签协议", false},
	{212, "subsidy", "申请政府补贴，减轻居民负担", false},
	{213, "subsidy", "问问街道能不能申请老旧小区改造资金", false},
	{214, "subsidy", "武汉市加装电梯有财政补贴，社区帮忙申请", false},
	{215, "subsidy", "争取政府补贴和老旧小区改造资金", false},
	{216, "subsidy", "申请政府补贴，每台电梯能补二十万", false},
	{217, "stairwell", "分单元表决，一个单元一个单元来", false},
	{218, "stairwell", "每个单元自己投票，自己决定装不装", false},
	{219, "stairwell", "按单元征求意见，同意的单元先装", false},
	{220, "stairwell", "以单元为单位表决，不要全小区一起投票", false},
	{221, "stairwell", "一个单元一个单元签字，达到三分之二就装", false},
	{222, "noise", "施工时间限制在早八点到晚六点，中午不准施工", false},
	{223, "noise", "施工噪音太大了，中午午休时间要停工", false},
	{224, "noise", "晚上和周末不要施工，老人要休息", true},
	{225, "noise", "规定施工时间，中午十二点到两点不施工", false},
	{226, "parking", "施工期间车子停哪里？要提前安排好", false},
	{227, "parking", "施工占了停车位，要临时找地方停车", false},
	{228, "parking", "施工期间临时停车位要规划好", false},
	{229, "lone", "建议小区多种树", false},
	{230, "lone", "快递柜太少，经常放不下😂", false},
	{231, "lone", "楼道灯坏了好久没人修", false},
	{232, "lone", "希望物业多打扫一下垃圾站", false},
	{233, "lone", "装了电梯以后的维修保养费谁来出？", false},
}

func elevatorTexts() []models.CardText {
	out := make([]models.CardText, len(elevatorCards))
	for i, c := range elevatorCards {
		out[i] = models.CardText{ID: c.id, Body: c.body}
	}
	return out
}

// ideaOf maps a card id to its idea.
func ideaOf(id uint64) elevatorCard {
	for _, c := range elevatorCards {
		if c.id == id {
			return c
		}
	}
	panic(fmt.Sprintf("no card %d", id))
}

// checkOrder asserts the documented order: score descending, then smallest id; ids ascending
// inside a suggestion; at least two cards each.
func checkOrder(t *testing.T, got []models.Suggestion) {
	t.Helper()
	for i, s := range got {
		if len(s.CardIDs) < 2 {
			t.Errorf("suggestion %d has %d cards, want ≥ 2", i, len(s.CardIDs))
		}
		if !slices.IsSorted(s.CardIDs) {
			t.Errorf("suggestion %d ids=%v, want ascending", i, s.CardIDs)
		}
		if i > 0 {
			p := got[i-1]
			if p.Score < s.Score || p.Score == s.Score && p.CardIDs[0] > s.CardIDs[0] {
				t.Errorf("suggestion %d (%.3f %v) after (%.3f %v): wrong order", i, s.Score, s.CardIDs, p.Score, p.CardIDs)
			}
		}
	}
}

func TestSuggestClusters_ElevatorCards(t *testing.T) {
	t.Parallel()
	got := models.SuggestClusters(elevatorTexts(), models.SuggestOptions{})
	checkOrder(t, got)

	// Every suggestion holds one idea only, and no lone wolf is pulled in.
	groupOf := map[uint64]int{}
	for i, s := range got {
		idea := ideaOf(s.CardIDs[0]).idea
		for _, id := range s.CardIDs {
			if c := ideaOf(id); c.idea != idea || c.idea == "lone" {
				t.Errorf("suggestion %v mixes %q card %d (%s) with %q", s.CardIDs, c.idea, id, c.body, idea)
			}
			groupOf[id] = i
		}
		if s.Score < models.DefaultSuggestThreshold || s.Score > 1+1e-9 {
			t.Errorf("suggestion %v score=%v, want in [%v, 1]", s.CardIDs, s.Score, models.DefaultSuggestThreshold)
		}
	}
	// Every idea comes out as one whole group: all cost-sharing cards together, all
	// compensation cards together, and so on.
	want := map[string][]uint64{}
	for _, c := range elevatorCards {
		if c.idea != "lone" && !c.loose {
			want[c.idea] = append(want[c.idea], c.id)
		}
	}
	for idea, ids := range want {
		g, ok := groupOf[ids[0]]
		if !ok {
			t.Errorf("%s: card %d not suggested", idea, ids[0])
			continue
		}
		for _, id := range ids[1:] {
			if h, ok := groupOf[id]; !ok || h != g {
				t.Errorf("%s: card %d (%s) not with card %d: got %v", idea, id, ideaOf(id).body, ids[0], got)
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d suggestions, want %d (one per idea): %v", len(got), len(want), got)
	}
	for _, c := range elevatorCards {
		if _, ok := groupOf[c.id]; ok && c.idea == "lone" {
			t.Errorf("lone card %d (%s) suggested", c.id, c.body)
		}
	}
}

// TestSuggestClusters_NoChaining: a card that names two ideas is close to both, but the two
// ideas must not be fused through it, which connected components over a threshold would do.
func TestSuggestClusters_NoChaining(t *testing.T) {
	t.Parallel()
	bridge := models.CardText{ID: 299, Body: "按楼层分摊费用，一楼采光损失要补偿"}
	pair := func(id uint64) float64 {
		t.Helper()
		got := models.SuggestClusters([]models.CardText{bridge, {ID: id, Body: ideaOf(id).body}}, models.SuggestOptions{})
		if len(got) != 1 {
			t.Fatalf("bridge and card %d: got %v, want one pair", id, got)
		}
		return got[0].Score
	}
	// The premise: the bridge alone is close enough to a card of each idea to join it.
	if s := pair(201); s < models.DefaultSuggestThreshold {
		t.Fatalf("bridge–cost score=%v, want ≥ %v for the test to mean anything", s, models.DefaultSuggestThreshold)
	}
	if s := pair(209); s < models.DefaultSuggestThreshold {
		t.Fatalf("bridge–compensation score=%v, want ≥ %v for the test to mean anything", s, models.DefaultSuggestThreshold)
	}

	got := models.SuggestClusters(append(elevatorTexts(), bridge), models.SuggestOptions{})
	for _, s := range got {
		ideas := map[string]bool{}
		for _, id := range s.CardIDs {
			if id != bridge.ID {
				ideas[ideaOf(id).idea] = true
			}
		}
		if len(ideas) > 1 {
			t.Errorf("suggestion %v chains ideas %v through the bridge card", s.CardIDs, ideas)
		}
	}
}

func TestSuggestClusters_NearDuplicates(t *testing.T) {
	t.Parallel()
	sets := [][]models.CardText{
		{ // punctuation, spaces, exclamation marks; a traditional-character input method
			{ID: 11, Body: "申请政府补贴，减轻居民负担"},
			{ID: 12, Body: "申请 政府补贴  减轻居民负担！！"},
			{ID: 13, Body: "申請政府補貼,減輕居民負擔。"},
		},
		{ // full-width and Arabic digits against Chinese numerals
			{ID: 21, Body: "给１楼住户补偿"},
			{ID: 22, Body: "给1楼住户补偿。"},
			{ID: 23, Body: "给一楼住户补偿"},
		},
		{ // full-width and upper-case Latin letters
			{ID: 31, Body: "Ａ栋、Ｂ栋先试点"},
			{ID: 32, Body: "a栋b栋先试点"},
		},
		{ // emoji and ideographic spaces
			{ID: 41, Body: "快递柜太少👍👍"},
			{ID: 42, Body: "快递柜　太少"},
		},
		{ // very short cards compare through their characters: "梯" is what residents call 电梯
			{ID: 51, Body: "装梯"},
			{ID: 52, Body: "装电梯！"},
		},
	}
	var all []models.CardText
	for _, s := range sets {
		all = append(all, s...)
	}
	all = append(all,
		models.CardText{ID: 91, Body: "楼道灯坏了好久没人修"},
		models.CardText{ID: 92, Body: "施工期间临时停车位要规划好"},
		models.CardText{ID: 93, Body: "？？？"},
		models.CardText{ID: 94, Body: "👍👍👍"},
		models.CardText{ID: 95, Body: "……"},
	)
	got := models.SuggestClusters(all, models.SuggestOptions{})
	checkOrder(t, got)
	if len(got) != len(sets) {
		t.Fatalf("got %d suggestions %v, want %d", len(got), got, len(sets))
	}
	for _, set := range sets {
		var ids []uint64
		for _, c := range set {
			ids = append(ids, c.ID)
		}
		i := slices.IndexFunc(got, func(s models.Suggestion) bool { return slices.Equal(s.CardIDs, ids) })
		if i < 0 {
			t.Errorf("%v not suggested as a group: %v", ids, got)
			continue
		}
		floor := 0.999
		if ids[0] == 51 {
			floor = 0.3 // related, not identical; their bigrams alone share nothing
		}
		if got[i].Score < floor {
			t.Errorf("%v score=%v, want ≥ %v", ids, got[i].Score, floor)
		}
	}
	// Identical text after normalising survives any threshold up to 1.
	strict := models.SuggestClusters(all, models.SuggestOptions{Threshold: 0.999})
	if len(strict) != len(sets)-1 {
		t.Errorf("threshold 0.999: got %v, want the %d identical sets", strict, len(sets)-1)
	}
}

func TestSuggestClusters_Deterministic(t *testing.T) {
	t.Parallel()
	want := models.SuggestClusters(elevatorTexts(), models.SuggestOptions{})
	if len(want) == 0 {
		t.Fatal("no suggestions")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		cards := elevatorTexts()
		r.Shuffle(len(cards), func(a, b int) { cards[a], cards[b] = cards[b], cards[a] })
		if got := models.SuggestClusters(cards, models.SuggestOptions{}); !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffle %d: got %v, want %v", i, got, want)
		}
	}
	// A card sent twice counts once.
	twice := append(elevatorTexts(), elevatorTexts()[0])
	if got := models.SuggestClusters(twice, models.SuggestOptions{}); !reflect.DeepEqual(got, want) {
		t.Errorf("duplicate id: got %v, want %v", got, want)
	}
}

func TestSuggestClusters_Exclude(t *testing.T) {
	t.Parallel()
	// The facilitator has already clustered two cost-sharing cards and all compensation cards
	// but one.
	exclude := []uint64{203, 206, 207, 208, 209, 210}
	got := models.SuggestClusters(elevatorTexts(), models.SuggestOptions{Exclude: exclude})
	checkOrder(t, got)
	seen := map[uint64]bool{}
	for _, s := range got {
		for _, id := range s.CardIDs {
			if slices.Contains(exclude, id) {
				t.Errorf("excluded card %d suggested in %v", id, s.CardIDs)
			}
			if ideaOf(id).idea == "comp" {
				t.Errorf("card %d, the one compensation card left, suggested in %v", id, s.CardIDs)
			}
			seen[id] = true
		}
	}
	// The rest of the cost-sharing cards are still proposed together.
	for _, id := range []uint64{201, 202, 204, 205} {
		if !seen[id] {
			t.Errorf("cost card %d no longer suggested: %v", id, got)
		}
	}
	// Excluded cards still count towards how common a word is, so the untouched ideas keep
	// their suggestions and scores exactly.
	for _, d := range models.SuggestClusters(elevatorTexts(), models.SuggestOptions{}) {
		if idea := ideaOf(d.CardIDs[0]).idea; idea == "cost" || idea == "comp" {
			continue
		}
		if !slices.ContainsFunc(got, func(s models.Suggestion) bool { return reflect.DeepEqual(s, d) }) {
			t.Errorf("%v (score %v) changed by excluding other cards: %v", d.CardIDs, d.Score, got)
		}
	}
	if all := models.SuggestClusters(elevatorTexts()[:3], models.SuggestOptions{Exclude: []uint64{201, 202, 203}}); all == nil || len(all) != 0 {
		t.Errorf("everything excluded: got %#v, want an empty list", all)
	}
}

// TestSuggestClusters_Score: a group's score is the mean similarity of its pairs, each read
// as the score of a suggestion made with every other card excluded (excluded cards still
// weigh words, so each pair is measured against the same pile).
func TestSuggestClusters_Score(t *testing.T) {
	t.Parallel()
	cards := elevatorTexts()
	pairScore := func(a, b uint64) float64 {
		t.Helper()
		var others []uint64
		for _, c := range cards {
			if c.ID != a && c.ID != b {
				others = append(others, c.ID)
			}
		}
		got := models.SuggestClusters(cards, models.SuggestOptions{Threshold: 1e-9, Exclude: others})
		if len(got) == 0 {
			return 0
		}
		return got[0].Score
	}
	got := models.SuggestClusters(cards, models.SuggestOptions{})
	for _, s := range got {
		var sum float64
		var n int
		for i, a := range s.CardIDs {
			for _, b := range s.CardIDs[i+1:] {
				sum += pairScore(a, b)
				n++
			}
		}
		if want := sum / float64(n); math.Abs(s.Score-want) > 1e-9 {
			t.Errorf("%v score=%v, want the mean pair similarity %v", s.CardIDs, s.Score, want)
		}
	}
}

func TestSuggestClusters_Threshold(t *testing.T) {
	t.Parallel()
	def := models.SuggestClusters(elevatorTexts(), models.SuggestOptions{})
	count := func(ss []models.Suggestion) (n int) {
		for _, s := range ss {
			n += len(s.CardIDs)
		}
		return n
	}
	high := models.SuggestClusters(elevatorTexts(), models.SuggestOptions{Threshold: 0.3})
	if count(high) == 0 || count(high) >= count(def) {
		t.Errorf("threshold 0.3 grouped %d cards, want some but fewer than the default's %d", count(high), count(def))
	}
	for _, s := range high {
		if s.Score < 0.3 {
			t.Errorf("threshold 0.3: %v score=%v", s.CardIDs, s.Score)
		}
	}
	if got := models.SuggestClusters(elevatorTexts(), models.SuggestOptions{Threshold: 0.99}); len(got) != 0 {
		t.Errorf("threshold 0.99 on cards with no duplicates: got %v", got)
	}
}

func TestSuggestClusters_Empty(t *testing.T) {
	t.Parallel()
	for name, cards := range map[string][]models.CardText{
		"none":        nil,
		"one":         {{ID: 1, Body: "按楼层分摊费用"}},
		"punctuation": {{ID: 1, Body: "！！！"}, {ID: 2, Body: "！！！"}, {ID: 3, Body: "   "}},
	} {
		if got := models.SuggestClusters(cards, models.SuggestOptions{}); got == nil || len(got) != 0 {
			t.Errorf("%s: got %#v, want an empty list", name, got)
		}
	}
}

// benchCards writes n cards from phrase pools of a dozen ideas, each card two or three
// phrases with resident filler, like a busy month's pile.
func benchCards(n int) []models.CardText {
	pools := [][]string{
		{"按楼层分摊费用", "高层多出钱", "低层少出钱", "一楼不出钱", "楼层越高出得越多"},
		{"一楼采光补偿", "给一楼住户补偿", "噪音损失要补偿", "低层采光受影响"},
		{"申请政府补贴", "老旧小区改造资金", "财政补贴", "社区帮忙申请"},
		{"分单元表决", "一个单元一个单元来", "每个单元自己投票", "同意的单元先装"},
		{"中午不准施工", "施工噪音太大", "晚上不要施工", "规定施工时间"},
		{"施工期间停车", "临时停车位", "车子停哪里", "占了停车位"},
		{"多种树", "绿化太少", "花坛没人管"},
		{"快递柜太少", "快递放门口", "快递丢了"},
		{"楼道灯坏了", "楼道堆杂物", "楼道太暗"},
		{"垃圾分类", "垃圾站太臭", "垃圾桶不够"},
		{"物业费太高", "物业不作为", "换物业公司"},
		{"电梯维修保养费", "维保公司", "电梯年检"},
	}
	fillers := []string{"", "建议", "我觉得", "希望", "大家看", "能不能"}
	seps := []string{"，", ",", " ", "。", "！", "😂", ""}
	r := rand.New(rand.NewPCG(7, 11))
	cards := make([]models.CardText, n)
	for i := range cards {
		pool := pools[r.IntN(len(pools))]
		var b strings.Builder
		b.WriteString(fillers[r.IntN(len(fillers))])
		for k := range 2 + r.IntN(2) {
			if k > 0 {
				b.WriteString(seps[r.IntN(len(seps))])
			}
			b.WriteString(pool[r.IntN(len(pool))])
		}
		cards[i] = models.CardText{ID: uint64(i + 1), Body: b.String()}
	}
	return cards
}

// BenchmarkSuggestClusters: one call on 500 cards, the size the route must answer at once.
//
//	go test -run XXX -bench SuggestClusters ./models/
func BenchmarkSuggestClusters(b *testing.B) {
	cards := benchCards(500)
	b.ReportAllocs()
	for b.Loop() {
		if got := models.SuggestClusters(cards, models.SuggestOptions{}); len(got) == 0 {
			b.Fatal("no suggestions")
		}
	}
}
