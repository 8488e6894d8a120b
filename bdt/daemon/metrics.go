package daemon

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"bdt/bdt/ledger"
	"bdt/bdt/runner"
	"bdt/rules"
)

// metrics are the daemon's Prometheus metrics. It is also a runner.Observer
// that counts what every run does.
type metrics struct {
	reg         *prometheus.Registry
	files       *prometheus.CounterVec
	records     *prometheus.CounterVec
	findings    *prometheus.CounterVec
	failures    prometheus.Counter
	runs        *prometheus.CounterVec
	duration    prometheus.Histogram
	lastSuccess prometheus.Gauge
	inProgress  prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		files: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bdt_files_processed_total",
			Help: "Files processed, by kind and file status (ACCEPTED, PARTIALLY_ACCEPTED, REJECTED, DUPLICATE)."}, []string{"kind", "status"}),
		records: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bdt_records_processed_total",
			Help: "Records processed, by kind and record status (accepted, rejected)."}, []string{"kind", "status"}),
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bdt_rule_findings_total",
			Help: "Findings reported, by rule id."}, []string{"rule"}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Name: "bdt_file_failures_total",
			Help: "Files that could not be processed for an infrastructure reason (left pending)."}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bdt_runs_total",
			Help: "Runs, by trigger (schedule, api) and result (ok, failed, panic)."}, []string{"trigger", "result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "bdt_run_duration_seconds",
			Help: "Duration of runs.", Buckets: prometheus.ExponentialBuckets(0.1, 4, 10)}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "bdt_last_successful_run_timestamp_seconds",
			Help: "Unix time of the end of the last run in which every file was processed."}),
		inProgress: prometheus.NewGauge(prometheus.GaugeOpts{Name: "bdt_run_in_progress",
			Help: "1 while a run is in progress."}),
	}
	for _, r := range rules.Catalogue() { // every rule is listed, from zero
		m.findings.WithLabelValues(string(r.ID))
	}
	m.reg.MustRegister(m.files, m.records, m.findings, m.failures, m.runs, m.duration, m.lastSuccess, m.inProgress, buildInfoGauge(),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) FileStarted(string, int64)    {}
func (m *metrics) RecordsDone(string, int, int) {}
func (m *metrics) Skipped(string, string)       {}

func (m *metrics) FileDone(r runner.FileResult) {
	if r.Err != nil {
		m.failures.Inc()
		return
	}
	e := r.Entry
	if e == nil || r.Recovered {
		return
	}
	kind := e.Kind
	if kind == "" {
		kind = "unknown"
	}
	m.files.WithLabelValues(kind, string(e.Status)).Inc()
	if e.Status != ledger.Duplicate {
		m.records.WithLabelValues(kind, "accepted").Add(float64(e.Accepted))
		m.records.WithLabelValues(kind, "rejected").Add(float64(e.Rejected))
	}
	for rule, n := range r.Findings {
		m.findings.WithLabelValues(string(rule)).Add(float64(n))
	}
}
