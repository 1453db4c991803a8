package report_test

import (
	"breakout/report"
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// screenshotPath keeps the browser test's screenshot, to look at:
// go test ./report -run Browser -screenshot /tmp/breakout-report.png
var screenshotPath = flag.String("screenshot", "", "write the browser test's screenshot and PDF (path.png, path.pdf) here")

// chromium finds Debian's Chromium. Without it the browser test is
// skipped, but not in CI (CI=true), where .ci/run installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; .ci/run installs it (apt-get install -y chromium)")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium); the HTML report is not checked in a browser")
	return ""
}

// pdfPageRE matches a page object of a PDF (and not the /Pages tree);
// Chromium writes these dictionaries uncompressed.
var pdfPageRE = regexp.MustCompile(`/Type\s*/Page\b[^s]`)

// TestReportHTMLInBrowser opens the conference report in headless
// Chromium, as a secretariat would before printing it: the page renders,
// prints to a PDF of several pages, runs no script, and shows an idea
// that holds a script tag as that text.
func TestReportHTMLInBrowser(t *testing.T) {
	exe := chromium(t)
	s := reportSession(t)
	var groups []report.Group
	for _, g := range s.Groups {
		groups = append(groups, report.NewGroup(s, g.Name))
	}
	const hostile = "<script>alert(1)</script>"
	q := &groups[1].Questions[0]
	q.Ideas = append(q.Ideas, report.Idea{ID: "i-hostile", Text: hostile, Author: "Giulia Isola", Created: q.Ideas[0].Created})
	c := report.Merge(groups)
	c.Appendix = true // the group reports list every idea with its author
	page := filepath.Join(t.TempDir(), "conference.html")
	var out bytes.Buffer
	if err := c.WriteHTML(&out); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	// Starting Chromium, rendering and printing take a few seconds on a
	// quiet machine and many more on a busy one: a deadline, not a bound.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1000, 1300))
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()

	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page)); err != nil {
		t.Fatalf("open %s in chromium: %v", page, err)
	}
	scripts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.scripts.length`))
	if err != nil || scripts != 0 {
		t.Errorf("document.scripts.length = %d, %v; want 0", scripts, err)
	}
	idea, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`[...document.querySelectorAll("li")].map(li => li.innerText).find(t => t.includes("alert(1)")) || ""`))
	if err != nil || idea != hostile+" (Giulia Isola, 0 votes)" {
		t.Errorf("the idea's list item reads %q, %v; want %q", idea, err, hostile+" (Giulia Isola, 0 votes)")
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil || title != "The future of the partnership" {
		t.Errorf("page title = %q, %v; want the session's title", title, err)
	}

	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("decode screenshot: %v", err)
	}
	if share := inkShare(img); share < 0.01 {
		t.Errorf("screenshot has %.2f%% of non-white pixels; want a page with text on it", share*100)
	}

	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("print gave %.20q; want a PDF", pdf)
	}
	// The title page with the contents, then a page per section at least.
	if n, want := len(pdfPageRE.FindAll(pdf, -1)), 2+len(c.Questions); n < want {
		t.Errorf("PDF has %d pages; want at least %d", n, want)
	}

	if base := *screenshotPath; base != "" {
		for path, data := range map[string][]byte{base: shot, base[:len(base)-len(filepath.Ext(base))] + ".pdf": pdf} {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// inkShare is the share of an image's pixels that are not near white.
func inkShare(img image.Image) float64 {
	b := img.Bounds()
	ink := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xe000 || g < 0xe000 || bl < 0xe000 {
				ink++
			}
		}
	}
	return float64(ink) / float64(b.Dx()*b.Dy())
}
