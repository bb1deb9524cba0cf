// Package dashboards will own the web views (SPEC section 7): the leaders'
// cockpit, the alert centre, trend analysis and its API, every chart built
// with go-echarts and served offline. Not built yet: see issue 6.
package dashboards
