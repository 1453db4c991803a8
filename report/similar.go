package report

import (
	"strings"
	"unicode"
)

// fillerWords are words of brainstorming that say nothing about the
// subject; they are dropped with English stop words before stemming.
var fillerWords = map[string]bool{
	"also": true, "always": true, "better": true, "could": true,
	"etc": true, "every": true, "get": true, "good": true, "idea": true,
	"ideas": true, "less": true, "let": true, "lot": true, "lots": true,
	"make": true, "many": true, "may": true, "might": true, "much": true,
	"must": true, "need": true, "needs": true, "new": true, "one": true,
	"really": true, "shall": true, "thing": true, "things": true, "us": true,
	"use": true, "way": true, "ways": true, "would": true, "yes": true,
}

// words splits text into lower-case words of letters and digits; an
// apostrophe inside a word ends it ("don't" gives "don", "t").
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}
