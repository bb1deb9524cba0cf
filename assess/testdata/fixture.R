# Hand computation of the assessment fixture (assess/assess_test.go), in R,
# independent of the Go code: empirical-Bayes beta prior by the method of
# moments, posterior mean and 5%/95% quantiles, linear points.
fit <- function(k, n, maxM) {
  keep <- n > 0; k <- k[keep]; n <- n[keep]; m <- length(n)
  if (m < 3) return(NULL)
  mu <- sum(k) / sum(n)
  s2 <- sum(n * (k / n - mu)^2) / sum(n)
  tau2 <- s2 - mu * (1 - mu) * m / sum(n)
  M <- if (tau2 > 0 && mu > 0 && mu < 1) min(maxM, max(0, mu * (1 - mu) / tau2 - 1)) else maxM
  c(mu * M, (1 - mu) * M)
}
est <- function(k, n, pr) {
  a <- max(pr[1] + k, .5); b <- max(pr[2] + n - k, .5)
  c(a / (a + b), qbeta(.05, a, b), qbeta(.95, a, b))
}
pts <- function(v, w, fl, tg) w * pmax(0, pmin(1, (v - fl) / (tg - fl)))
units <- c("G620102", "G620103", "G620104", "CITY-ZJJ")
k <- c(99, 10, 5, 40); n <- c(110, 20, 5, 50)
pr <- fit(k, n, 50)
cat(sprintf("prior %.6f %.6f\n", pr[1], pr[2]))
three <- c(40, 0, 40, NA)          # 三访: -50%, +300%, none
ded <- c(2, 7, 0, 0)               # 通报 months x 2, 一事一通报 x 3
for (i in 1:4) {
  e <- est(k[i], n[i], pr); p <- pts(e, 60, .5, .9)
  w <- if (is.na(three[i])) 60 else 100
  t <- if (is.na(three[i])) 0 else three[i]
  s <- round(100 * (round(p, 4) + t) / w, 2)
  cat(sprintf("%s value %.6f [%.6f, %.6f] points %.4f [%.4f, %.4f] score %.2f [%.2f, %.2f] after %.2f\n", units[i], e[1], e[2], e[3],
    p[1], p[2], p[3], s[1], s[2], s[3], max(0, s[1] - ded[i])))
}
