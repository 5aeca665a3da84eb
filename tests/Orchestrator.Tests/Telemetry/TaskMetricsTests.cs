using System.Net;
using System.Net.Http.Headers;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Telemetry;
using Orchestrator.Tests.Security;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Telemetry;

/// <summary>
/// The metrics, read with OpenTelemetry's in-memory exporter, count what happened: tasks by status and account as the API
/// reports them, submits and polls as the provider received them, its limit answers, and journal writes. Other tests run
/// servers in this process at the same time, so only points tagged with this test's own account name are counted.
/// </summary>
public sealed class TaskMetricsTests
{
    private const string SimAccount = "metered";

    [Fact]
    public async Task The_counts_match_the_tasks_run_and_the_calls_the_provider_received()
    {
        var account = "metered-" + Guid.NewGuid().ToString("N")[..8];
        var exported = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(OrchestratorTelemetry.MeterName).AddInMemoryExporter(exported).Build();
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            ImageMinSeconds = 0.2, ImageMaxSeconds = 0.8, FailureRate = 0.3, Seed = 23,
            Accounts = [new() { Name = SimAccount, Protocol = SimulatedProtocols.Dmxapi, ApiKey = "metered-key" }],
        });
        await using var server = await OrchestratorServer.StartAsync(dir.SqliteConnectionString(), sim.BaseUrl,
            $"--Orchestrator:Providers:{account}:Type=dmxapi", $"--Orchestrator:Providers:{account}:BaseUrl={sim.BaseUrl}",
            $"--Orchestrator:Providers:{account}:ApiKey=metered-key", $"--Orchestrator:Providers:{account}:Qps=20");
        // Two limit answers: each is retried, and each is a limit answer the throttle backs off for.
        sim.Sim.Inject(SimAccount, SimulatedFault.RateLimit, 2);

        var ids = new List<string>();
        for (var i = 0; i < 12; i++) ids.Add(await server.SubmitForIdAsync(Requests.Image($"metered task {i}", ("provider", account))));
        var ended = new List<TaskView>();
        foreach (var id in ids) ended.Add(await server.WaitForEndAsync(id));
        meters.ForceFlush();

        var m = new Readings(exported, account);
        var byStatus = ended.GroupBy(v => v.Status.WireName()).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.True(byStatus.Count == 2, $"the seeded run should end some tasks failed and some succeeded: {string.Join(", ", byStatus)}");
        Assert.Equal(ids.Count, m.Sum("orchestrator.tasks.accepted"));
        foreach (var (status, count) in byStatus)
            Assert.True(count == m.Sum("orchestrator.tasks.ended", ("status", status)), $"{status}: {count} tasks, metric {m.Sum("orchestrator.tasks.ended", ("status", status))}");
        Assert.Equal(ids.Count, m.Sum("orchestrator.tasks.ended"));

        var received = sim.Sim.Stats(SimAccount);
        Assert.Equal(received.Submits + received.RateLimitAnswers, m.Sum("orchestrator.provider.calls", ("call", "submit")));
        Assert.Equal(received.Polls, m.Sum("orchestrator.provider.calls", ("call", "poll")) + m.Sum("orchestrator.provider.calls", ("call", "lookup")));
        Assert.Equal(2, m.Sum("orchestrator.provider.calls", ("outcome", "rate_limited")));
        Assert.Equal(2, m.Sum("orchestrator.provider.limit_answers"));
        Assert.Equal(received.Submits + received.RateLimitAnswers + received.Polls, m.Count("orchestrator.provider.call.duration"));
        Assert.Equal(received.Submits + received.RateLimitAnswers + received.Polls, m.Count("orchestrator.throttle.wait"));
        // Recorded once per task whose provider end time is known (a task the provider stamps before our submit's time has none).
        Assert.InRange(m.Count("orchestrator.tasks.detection_lag"), 1, ended.Count);
        Assert.Equal(20, m.Gauge("orchestrator.throttle.rate.configured"));
        Assert.Equal(0, m.Gauge("orchestrator.throttle.queue_length"));
    }

    [Fact]
    public async Task Prometheus_scrapes_them_at_metrics_with_a_read_key()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.4 });
        await using var server = await OrchestratorServer.StartAsync(dir.SqliteConnectionString(), sim.BaseUrl,
            ["--Orchestrator:Telemetry:Exporters:0=prometheus", .. Keys.Key(0, "ops", "metrics-admin-key-5b1c9e", null, "admin"), .. Keys.Key(1, "scraper", "metrics-read-key-0d4e7a", "acme", "read")]);
        server.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "metrics-admin-key-5b1c9e");
        await server.WaitForEndAsync(await server.SubmitForIdAsync(Requests.Image("scraped")));

        using var anonymous = new HttpClient { BaseAddress = server.Http.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "metrics-read-key-0d4e7a");
        using var response = await anonymous.SendAsync(scrape);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("orchestrator_tasks_ended_total{", text);
        Assert.Contains("status=\"succeeded\"", text);
        Assert.Contains("orchestrator_provider_calls_total{", text);
        Assert.Contains("orchestrator_throttle_queue_length{", text);
    }

    /// <summary>The last export of each metric, its points narrowed to one account.</summary>
    private sealed class Readings(List<MetricSnapshot> exported, string account)
    {
        private MetricSnapshot? Last(string name) => exported.LastOrDefault(s => s.Name == name);

        private IEnumerable<MetricPoint> Points(string name, (string Key, string Value)? tag) =>
            Last(name)?.MetricPoints.Where(p => Has(p, "account", account) && (tag is not { } t || Has(p, t.Key, t.Value))) ?? [];

        private static bool Has(MetricPoint p, string key, string value)
        {
            foreach (var kv in p.Tags)
                if (kv.Key == key) return Equals(kv.Value, value);
            return false;
        }

        public long Sum(string name, (string Key, string Value)? tag = null) => Points(name, tag).Sum(p => p.GetSumLong());

        public long Count(string name) => Points(name, null).Sum(p => p.GetHistogramCount());

        public double Gauge(string name) => Last(name)?.MetricType == MetricType.DoubleGauge
            ? Points(name, null).Sum(p => p.GetGaugeLastValueDouble())
            : Points(name, null).Sum(p => p.GetGaugeLastValueLong());
    }
}
