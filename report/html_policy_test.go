package report

import (
	"strings"
	"testing"
)

// TestHTMLPolicy checks the sanitiser on its own, as the second wall: the
// Markdown's escaping keeps raw HTML out before it is reached, so these
// inputs are what would get through were that escaping ever to fail.
func TestHTMLPolicy(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`<script>alert(1)</script>x`, `x`},
		{`<img src=x onerror=alert(1)>`, ``},
		{`<p onclick="alert(1)" style="color:red">p</p>`, `<p>p</p>`},
		{`<a href="javascript:alert(1)">a</a>`, `a`},
		{`<a href="data:text/html,x">a</a>`, `a`},
		{`<a href="//evil.example/x">a</a>`, `a`},
		{`<a href="https://example.org/" target="_blank">a</a>`, `<a href="https://example.org/" rel="nofollow">a</a>`},
		{`<a href="mailto:a@example.org" rel="nofollow noopener">m</a>`, `<a href="mailto:a@example.org" rel="nofollow noopener">m</a>`},
		{`<h2 id="ok-id">h</h2><h3 id="bad id&quot;">h</h3>`, `<h2 id="ok-id">h</h2><h3>h</h3>`},
		{`<code class="language-go">x</code><code class="evil">y</code>`, `<code class="language-go">x</code><code>y</code>`},
		{`<style>@import url(http://evil.example/x.css)</style><link rel=stylesheet href=http://evil.example/x.css>`, ``},
		{`<iframe src="https://evil.example"></iframe><svg onload=alert(1)></svg><form><input></form>`, ``},
	} {
		if got := strings.TrimSpace(htmlPolicy.Sanitize(tc.in)); got != tc.want {
			t.Errorf("htmlPolicy.Sanitize(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}
