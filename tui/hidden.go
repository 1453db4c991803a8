package tui

import "breakout/session"

// hiddenNotice is what the author of an idea the chair hid, or showed
// again, is told; "" when the event is no such thing for this viewer.
// Hidden ideas are left out of the author's list, so without it the idea
// would just vanish.
func hiddenNotice(ev session.Event) string {
	if ev.Kind != session.KindIdeaHide {
		return ""
	}
	for _, i := range ev.Data.Ideas {
		if !i.Mine {
			continue
		}
		if i.Hidden {
			return "the chair hid your idea “" + shortText(i.Text) + "”; its votes went back"
		}
		return "the chair shows your idea “" + shortText(i.Text) + "” again"
	}
	return ""
}

func shortText(s string) string {
	r := []rune(oneLine(s))
	if len(r) > 30 {
		return string(r[:29]) + "…"
	}
	return string(r)
}
