# Reference values for EARS C1, C2 and C3 from R's surveillance::earsC.
# Run: Rscript reference.R > reference.csv   (Debian: apt install r-cran-surveillance)
# Columns: series, t (1-based index into the series), observed, method, alpha,
# minSigma, upperbound, alarm. Rows exist where earsC computes a value.
suppressPackageStartupMessages(library(surveillance))
series <- list(
  steady   = c(3,4,2,5,3,4,3,2,4,3,5,4,3,2,6,3,4,12,5,3,4,3,2,4,3),
  sparse   = c(0,0,1,0,0,0,2,0,0,0,1,0,0,0,0,5,0,1,0,0,0,0,3,0,0),
  surge    = c(10,12,9,11,10,13,12,11,10,9,12,30,35,40,12,11,10,9,13,12,11,10,12,11,10),
  flat     = c(5,5,5,5,5,5,5,5,5,5,5,5,6,5,5,5,9,5,5,5,5,5,5,5,5),
  seasonal = round(20 + 8*sin(2*pi*(1:40)/7) + c(rep(0,30), 15, 20, 0, 0, 0, 0, 0, 0, 0, 0))
)
cat("series,t,observed,method,alpha,minSigma,upperbound,alarm\n")
for (name in names(series)) {
  x <- series[[name]]
  s <- sts(observed = matrix(x, ncol = 1), start = c(2026, 1), frequency = 365)
  for (method in c("C1", "C2", "C3")) {
    for (minSigma in c(0, 0.5)) {
      for (alpha in c(NA, 0.05)) {
        ctl <- list(method = method, minSigma = minSigma)
        if (!is.na(alpha)) ctl$alpha <- alpha
        r <- earsC(s, control = ctl)
        a <- if (is.na(alpha)) r@control$alpha else alpha
        rng <- r@control$range
        for (i in seq_along(rng)) {
          cat(sprintf("%s,%d,%d,%s,%.10g,%.10g,%.15g,%s\n", name, rng[i], x[rng[i]], method, a, minSigma,
                      upperbound(r)[i, 1], ifelse(is.na(r@alarm[i, 1]), "NA", ifelse(r@alarm[i, 1], "1", "0"))))
        }
      }
    }
  }
}
