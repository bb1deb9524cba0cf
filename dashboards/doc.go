// Package dashboards owns the web views (SPEC section 7) served by
// `xfwatch serve`: the leaders' cockpit (领导驾驶舱), the alert centre
// (预警中心), trend analysis (趋势分析) and its API, the audit log, and the
// static site `demo --once` writes. Every chart's options are built with
// go-echarts; pages carry them as JSON data blocks that one script served by
// xfwatch hands to ECharts, so the Content-Security-Policy allows no inline
// script at all and nothing is fetched from outside.
//
// It owns accounts (a users file with bcrypt hashes, roles, region scopes),
// sessions, CSRF protection, rate limiting and the append-only audit log of
// every page view, export and alert action. It reads indicator and alert
// tables only; no page scans raw records for its numbers.
package dashboards
