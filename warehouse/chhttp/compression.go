package chhttp

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/ClickHouse/ch-go/compress"
	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"

	"xfwatch/warehouse/chdb"
)

// readStatement assembles the statement as ClickHouse does: the query
// parameter, a line feed, then the body (or the body alone). The body is
// decoded from its Content-Encoding and, with decompress=1, from ClickHouse's
// block compression. An INSERT's data is returned apart, as insertData, and
// the statement reads it with FROM INFILE.
func (s *Server) readStatement(r *http.Request, params url.Values) ([]byte, *insertData, error) {
	q := params.Get("query")
	if r.Method != http.MethodPost || r.Body == nil {
		return []byte(q), nil, nil
	}
	var body io.Reader = r.Body
	if enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc != "" && enc != "identity" {
		d, err := httpDecoder(enc, body)
		if err != nil {
			return nil, nil, err
		}
		defer d.Close()
		body = d
	}
	if params.Get("decompress") == "1" {
		body = cleanEOF{compress.NewReader(body)}
	}
	if q != "" {
		if st := scanStatement([]byte(q)); takesFileData(st) {
			data, err := newInsertData(body, s.cfg.MaxBodyBytes)
			if err != nil {
				return nil, nil, bodyError(err)
			}
			if data.size == 0 {
				data.Close()
				data = nil
			}
			return []byte(q), data, nil
		}
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(body, s.cfg.MaxBodyBytes+1))
	if err != nil {
		return nil, nil, bodyError(err)
	}
	if n > s.cfg.MaxBodyBytes {
		return nil, nil, bodyError(fmt.Errorf("request body exceeds %d bytes", s.cfg.MaxBodyBytes))
	}
	if q != "" {
		stmt := make([]byte, 0, len(q)+1+buf.Len())
		stmt = append(append(append(stmt, q...), '\n'), buf.Bytes()...)
		return stmt, nil, nil
	}
	stmt := buf.Bytes()
	if st := scanStatement(stmt); takesFileData(st) && st.dataAt >= 0 {
		data, err := newInsertData(bytes.NewReader(stmt[st.dataAt:]), s.cfg.MaxBodyBytes)
		if err != nil {
			return nil, nil, bodyError(err)
		}
		return stmt[:st.dataAt], data, nil
	}
	return stmt, nil, nil
}

// cleanEOF reports ch-go's "no next block" (a wrapped io.EOF at a block
// boundary) as the plain io.EOF readers expect; a block cut short stays an
// error (io.ErrUnexpectedEOF).
type cleanEOF struct{ r io.Reader }

func (c cleanEOF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	return n, err
}

// takesFileData reports whether an INSERT's data can be given by FROM INFILE.
func takesFileData(st statement) bool {
	return st.isInsert() && st.format != "" && !st.hasInfile && !st.values && st.infileAt >= 0
}

// withInfile rewrites an INSERT to read its data from path.
func withInfile(stmt []byte, st statement, path string) []byte {
	out := make([]byte, 0, len(stmt)+len(path)+20)
	out = append(out, stmt[:st.infileAt]...)
	out = append(out, "FROM INFILE "+quoteString(path)+" "...)
	return append(out, stmt[st.infileAt:]...)
}

func bodyError(err error) error {
	return &chdb.Error{Code: 271, Message: "Code: 271. DB::Exception: cannot read request body: " + err.Error() + ". (CANNOT_DECOMPRESS)"}
}

func httpDecoder(enc string, r io.Reader) (io.ReadCloser, error) {
	var (
		d   io.Reader
		err error
	)
	switch enc {
	case "gzip", "x-gzip":
		d, err = gzip.NewReader(r)
	case "deflate":
		d, err = zlib.NewReader(r)
	case "br":
		d = brotli.NewReader(r)
	case "zstd":
		var z *zstd.Decoder
		z, err = zstd.NewReader(r)
		if err == nil {
			return z.IOReadCloser(), nil
		}
	case "lz4":
		d = lz4.NewReader(r)
	default:
		return nil, &chdb.Error{Code: 48, Message: "Code: 48. DB::Exception: Content-Encoding " + enc +
			" is not supported; use gzip, deflate, br, zstd or lz4. (NOT_IMPLEMENTED)"}
	}
	if err != nil {
		return nil, &chdb.Error{Code: 271, Message: "Code: 271. DB::Exception: cannot decode " + enc + " body: " + err.Error() + ". (CANNOT_DECOMPRESS)"}
	}
	if c, ok := d.(io.ReadCloser); ok {
		return c, nil
	}
	return io.NopCloser(d), nil
}

// compressedBlockSize is the largest piece compress=1 output is cut into,
// as ClickHouse's own 1 MiB write buffer does.
const compressedBlockSize = 1 << 20

// writeBody sends the result, compressed as the client asked: compress=1 for
// ClickHouse's block compression, or an HTTP Content-Encoding when
// enable_http_compression=1 and Accept-Encoding allow it.
func writeBody(w http.ResponseWriter, r *http.Request, params url.Values, body []byte) error {
	if params.Get("compress") == "1" {
		method := compress.LZ4
		if strings.EqualFold(params.Get("network_compression_method"), "ZSTD") {
			method = compress.ZSTD
		}
		cw := compress.NewWriter(compress.LevelZero, method)
		var out bytes.Buffer
		for off := 0; off < len(body); off += compressedBlockSize {
			if err := cw.Compress(body[off:min(off+compressedBlockSize, len(body))]); err != nil {
				return fmt.Errorf("compress response: %w", err)
			}
			out.Write(cw.Data)
		}
		body = out.Bytes()
	}
	var enc string
	if params.Get("enable_http_compression") == "1" {
		enc = pickEncoding(r.Header.Get("Accept-Encoding"))
	}
	if enc == "" {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		_, err := w.Write(body)
		return err
	}
	w.Header().Set("Content-Encoding", enc)
	var cw io.WriteCloser
	switch enc {
	case "gzip":
		cw = gzip.NewWriter(w)
	case "deflate":
		cw = zlib.NewWriter(w)
	case "br":
		cw = brotli.NewWriter(w)
	case "zstd":
		z, err := zstd.NewWriter(w)
		if err != nil {
			return err
		}
		cw = z
	}
	if _, err := cw.Write(body); err != nil {
		return err
	}
	return cw.Close()
}

func pickEncoding(accept string) string {
	for _, part := range strings.Split(accept, ",") {
		enc := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch enc {
		case "gzip", "deflate", "br", "zstd":
			return enc
		}
	}
	return ""
}
