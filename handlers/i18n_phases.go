package handlers

// Messages of the phase table (models/phases.go, docs/phases.md): archived cycles, meetings
// that must end before their cycle moves on, joining a meeting, and votes below the quorum.
func init() { addMessages("phases", phasesCatalog) }

var phasesCatalog = map[string]map[string]string{
	LocaleZH: {
		"cycle_archived":   "本期月月谈已经归档，里面的内容不能再更改。",
		"meeting_running":  "会议「{title}」还在进行中。请先结束会议并写好会议纪要，再进入下一阶段。",
		"poll_open":        "投票「{title}」还没有结束。请先结束投票，再归档本期月月谈。",
		"join_not_started": "会议还没有开始。请等主持人宣布开会后，再用现场的签到码签到。",
		"poll_not_quorate": "这次表决时到会人数没有达到法定人数，表决不能形成决议。",
	},
	LocaleEN: {
		"cycle_archived":   "This month's talk is archived; nothing in it can change any more.",
		"meeting_running":  "The meeting \"{title}\" is still running. End it with its minutes before moving to the next phase.",
		"poll_open":        "The vote \"{title}\" is still open. Close it before archiving this month's talk.",
		"join_not_started": "The meeting has not started yet. Please sign in with the code shown in the room once the facilitator opens the meeting.",
		"poll_not_quorate": "Fewer people were signed in than the meeting's quorum when this vote was taken, so it cannot found a resolution.",
	},
}
