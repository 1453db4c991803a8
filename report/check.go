package report

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"breakout/session"
)

// Check reports the first text in a decoded report that the relay would
// not have taken (control characters, escape sequences, invisible
// characters), naming its field as the JSON does:
// `questions[2].ideas[1].text contains control characters`. merge runs it
// on every file, so a crafted report never reaches a terminal or a sheet.
func Check(doc any) error {
	return walk(reflect.ValueOf(doc), "", func(s, path string) (string, error) {
		if err := session.CheckText(s, session.MaxLongText, true); err != nil {
			return s, fmt.Errorf("%s %w", path, err)
		}
		return s, nil
	})
}

// Scrub removes escape sequences and control characters (but newlines
// and tabs) from every text of a report built from a relay's export, so
// that what report prints cannot drive a terminal even when the relay is
// not what it claims to be.
func Scrub(doc any) {
	walk(reflect.ValueOf(doc), "", func(s, _ string) (string, error) { return stripControls(s), nil })
}

func stripControls(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f), r == '\u2028' || r == '\u2029',
			r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
			return -1
		}
		return r
	}, ansi.Strip(s))
}

// walk calls f on every string reachable from v, with its JSON path,
// and stores what f returns where it can; it stops at f's first error.
func walk(v reflect.Value, path string, f func(s, path string) (string, error)) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walk(v.Elem(), path, f)
	case reflect.String:
		s, err := f(v.String(), path)
		if err == nil && v.CanSet() && s != v.String() {
			v.SetString(s)
		}
		return err
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			p := name
			if sf.Anonymous {
				p = strings.TrimSuffix(path, ".")
			} else if path != "" {
				p = path + "." + name
			}
			if err := walk(v.Field(i), p, f); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil
		}
		for i := range v.Len() {
			if err := walk(v.Index(i), path+"["+strconv.Itoa(i+1)+"]", f); err != nil {
				return err
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			if k.Kind() == reflect.String {
				if _, err := f(k.String(), path+" key"); err != nil {
					return err
				}
			}
			val := reflect.New(v.Type().Elem()).Elem()
			val.Set(v.MapIndex(k))
			if err := walk(val, path+"["+strconv.Quote(fmt.Sprint(k.Interface()))+"]", f); err != nil {
				return err
			}
			v.SetMapIndex(k, val)
		}
	}
	return nil
}
