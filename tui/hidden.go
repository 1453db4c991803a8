package tui

import "breakout/session"

// ideaNotice is what the author of an idea the chair hid, showed again
// or merged into another is told; "" when the event is no such thing for
// this viewer. Hidden and merged ideas leave the author's list, so
// without it the idea would just vanish.
func ideaNotice(ev session.Event) string {
	switch ev.Kind {
	case session.KindIdeaHide:
		for _, i := range ev.Data.Ideas {
			if !i.Mine {
				continue
			}
			if i.Hidden {
				return "the chair hid your idea “" + shortText(i.Text) + "”; its votes went back"
			}
			return "the chair shows your idea “" + shortText(i.Text) + "” again"
		}
	case session.KindIdeaMerge:
		var src, dst *session.Idea
		for _, i := range ev.Data.Ideas {
			if i.MergedInto != "" {
				src = i
			} else {
				dst = i
			}
		}
		if src == nil || !src.Mine || dst == nil {
			return ""
		}
		return "the chair merged your idea “" + shortText(src.Text) + "” into “" + shortText(dst.Text) + "”; its votes went with it"
	case session.KindIdeaRetract:
		for _, i := range ev.Data.Ideas {
			if i.Mine && i.Retracted {
				return "your idea “" + shortText(i.Text) + "” was retracted"
			}
		}
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
