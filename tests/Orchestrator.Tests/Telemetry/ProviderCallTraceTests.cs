using System.Diagnostics;
using System.Net.Http.Json;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Telemetry;
using Orchestrator.Tests.Security;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Telemetry;

/// <summary>
/// The spans, read with OpenTelemetry's in-memory exporter: one per provider call the provider received, each tagged with
/// its task, account and tenant and linked to the HTTP request that created the task; and no credential in any attribute
/// of any span (the HTTP client's own spans included), even when a provider echoes the credentials it was sent.
/// </summary>
public sealed class ProviderCallTraceTests
{
    [Fact]
    public async Task One_provider_call_span_per_call_linked_to_the_creating_request_and_no_credential_in_any_attribute()
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(OrchestratorTelemetry.ActivitySourceName, "System.Net.Http", "Microsoft.AspNetCore")
            .AddInMemoryExporter(spans).Build();
        var c = new Canaries();
        var run = Guid.NewGuid().ToString("N")[..8];
        var (dmx, kling, chanjing) = ($"dmxapi-{run}", $"kling-{run}", $"chanjing-{run}");
        var dmxKey = c.Add("DMXAPI api key", "canary-trace-dmxapi-key-41c7e0");
        var klingAk = c.Add("Kling access key", "canary-trace-kling-ak-9e2d13");
        var klingSk = c.Add("Kling secret key", "canary-trace-kling-sk-5a80f6");
        var cjApp = c.Add("Chanjing app id", "canary-trace-chanjing-app-2b7c");
        var cjSecret = c.Add("Chanjing secret key", "canary-trace-chanjing-sk-d31e84");

        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            ImageMinSeconds = 0.3, ImageMaxSeconds = 0.8,
            Accounts =
            [
                new() { Name = dmx, Protocol = SimulatedProtocols.Dmxapi, ApiKey = dmxKey },
                new() { Name = kling, Protocol = SimulatedProtocols.Kling, AccessKey = klingAk, SecretKey = klingSk },
                new() { Name = chanjing, Protocol = SimulatedProtocols.Chanjing, AppId = cjApp, SecretKey = cjSecret },
            ],
        });
        await using var server = await OrchestratorServer.StartAsync(dir.SqliteConnectionString(), sim.BaseUrl,
        [
            .. Account(dmx, "dmxapi", sim.BaseUrl, ("ApiKey", dmxKey)),
            .. Account(kling, "kling", sim.BaseUrl, ("AccessKey", klingAk), ("SecretKey", klingSk)),
            .. Account(chanjing, "chanjing", sim.BaseUrl, ("AppId", cjApp), ("SecretKey", cjSecret)),
            "--Orchestrator:Tasks:MaxSubmitAttempts=1",
        ]);

        // The caller's own trace: the task's spans link to the request it sent.
        var callerTrace = ActivityTraceId.CreateRandom();
        var tasks = new Dictionary<string, string>();
        foreach (var account in new[] { dmx, kling, chanjing })
        {
            using var submit = new HttpRequestMessage(HttpMethod.Post, "/v1/tasks")
            {
                Content = JsonContent.Create(Requests.Image($"traced on {account}", ("provider", account), ("model", "kling-v2-1"), ("metadata", new Dictionary<string, string> { ["tenant"] = "acme" }))),
            };
            submit.Headers.Add("traceparent", $"00-{callerTrace}-{ActivitySpanId.CreateRandom()}-01");
            var response = await server.Http.SendAsync(submit);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            tasks[account] = (await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id;
        }
        foreach (var id in tasks.Values) Assert.Equal(TaskLifecycle.Succeeded, (await server.WaitForEndAsync(id)).Status);

        List<Activity> Calls(string account) { lock (spans) return spans.Where(s => s.Source.Name == OrchestratorTelemetry.ActivitySourceName
            && s.GetTagItem("orchestrator.account") as string == account).ToList(); }
        foreach (var (account, taskId) in tasks)
        {
            var received = sim.Sim.Stats(account);
            var calls = Calls(account);
            Assert.True(received.Submits + received.Polls + received.PageQueries == calls.Count,
                $"{account}: the provider received {received.Submits} submits, {received.Polls} polls and {received.PageQueries} page queries; "
                + $"spans: {string.Join(", ", calls.Select(s => s.DisplayName))}");
            Assert.Contains(calls, s => s.DisplayName == "provider submit");
            foreach (var span in calls.Where(s => s.DisplayName != "provider batch_poll"))
            {
                Assert.Equal(ActivityKind.Client, span.Kind);
                Assert.Equal(taskId, span.GetTagItem("orchestrator.task.id"));
                Assert.Equal("acme", span.GetTagItem("orchestrator.tenant"));
                Assert.Equal("ok", span.GetTagItem("orchestrator.outcome"));
                Assert.Contains(span.Links, l => l.Context.TraceId == callerTrace);
            }
        }

        // A provider that echoes the credentials it was sent: the failure's message carries them, no span may.
        foreach (var account in tasks.Keys)
        {
            sim.Sim.Inject(account, SimulatedFault.EchoCredentials, 1);
            await server.WaitForEndAsync(await server.SubmitForIdAsync(Requests.Image($"echoed on {account}", ("provider", account), ("model", "kling-v2-1"))));
        }
        Assert.Contains(Calls(dmx), s => s.GetTagItem("orchestrator.outcome") as string == "error");
        c.Add("Chanjing access token", sim.Sim.Account(chanjing).CurrentAccessToken!);
        List<Activity> all;
        lock (spans) all = [.. spans];
        var leaks = all.SelectMany(s => s.TagObjects.Select(t => (Span: s.DisplayName, Key: t.Key, Value: t.Value?.ToString() ?? "")))
            .Concat(all.SelectMany(s => s.Events.SelectMany(e => e.Tags.Select(t => (Span: s.DisplayName, Key: $"{e.Name}.{t.Key}", Value: t.Value?.ToString() ?? "")))))
            .Concat(all.Select(s => (Span: s.DisplayName, Key: "name", Value: s.DisplayName)))
            .SelectMany(a => c.FoundIn(a.Value).Select(n => $"{n} in {a.Span} {a.Key}"))
            .Distinct().ToList();
        Assert.True(all.Count(s => s.Source.Name == "System.Net.Http") > 0, "the HTTP client's spans were recorded too");
        Assert.True(leaks.Count == 0, "Leaked:\n" + string.Join("\n", leaks));
    }

    private static string[] Account(string name, string type, string baseUrl, params (string Key, string Value)[] credentials) =>
    [
        $"--Orchestrator:Providers:{name}:Type={type}",
        $"--Orchestrator:Providers:{name}:BaseUrl={baseUrl}",
        $"--Orchestrator:Providers:{name}:Qps=20",
        .. credentials.Select(kv => $"--Orchestrator:Providers:{name}:{kv.Key}={kv.Value}"),
    ];
}
