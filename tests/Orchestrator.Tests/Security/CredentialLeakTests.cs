using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;
using Orchestrator.Tests.Webhooks;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Security;

/// <summary>
/// The credential leak search (docs/reliability.md): every provider account kind, the API keys, the webhook secrets
/// and the callback secret are canaries; a full flow runs, successes and failures (wrong keys, a provider echoing the
/// credentials it was sent); then every log line of the server, every answer, SSE event and webhook request, and every
/// file it wrote (result files, journal, key ring) is searched for each canary. None may appear.
/// </summary>
public sealed class CredentialLeakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task No_canary_credential_appears_in_logs_answers_events_webhooks_result_files_or_the_journal()
    {
        var started = Stopwatch.StartNew();
        var c = new Canaries();
        var dmxKey = c.Add("DMXAPI api key", "canary-dmxapi-key-5e0b7d21a9");
        var klingAk = c.Add("Kling access key", "canary-kling-ak-83f1c4d6e2");
        var klingSk = c.Add("Kling secret key", "canary-kling-sk-1a7c9e3b54");
        var cjApp = c.Add("Chanjing app id", "canary-chanjing-app-6d2f8a1c");
        var cjSecret = c.Add("Chanjing secret key", "canary-chanjing-sk-4b9e0f72d3");
        var wrongDmx = c.Add("wrong DMXAPI key", "canary-wrong-dmxapi-c81d2e97");
        var wrongKlingSk = c.Add("wrong Kling secret key", "canary-wrong-kling-sk-0f3a6b");
        var wrongCjSecret = c.Add("wrong Chanjing secret", "canary-wrong-chanjing-sk-9d4e");
        var adminKey = c.Add("admin API key", "canary-admin-api-key-7b2e94c1f0");
        var submitKey = c.Add("submit API key", "canary-submit-api-key-3c8d05a6e1");
        var wrongApiKey = c.Add("wrong API key", "canary-wrong-api-key-e6a1f3b827");
        var callbackSecret = c.Add("callback secret", "canary-callback-secret-2f8e6d4c0b9a7153");
        var endpointSecret = c.AddWebhookSecret("endpoint webhook secret", "canary-endpoint-webhook-secret-71c4");
        var taskSecret = c.AddWebhookSecret("task-webhook secret", "canary-task-webhook-secret-d09e3b5a");

        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            ImageMinSeconds = 0.2, ImageMaxSeconds = 0.6,
            Accounts =
            [
                new() { Name = "dmxapi", Protocol = SimulatedProtocols.Dmxapi, ApiKey = dmxKey },
                new() { Name = "kling", Protocol = SimulatedProtocols.Kling, AccessKey = klingAk, SecretKey = klingSk },
                new() { Name = "chanjing", Protocol = SimulatedProtocols.Chanjing, AppId = cjApp, SecretKey = cjSecret },
            ],
        });
        await using var endpoint = await WebhookReceiver.StartAsync(endpointSecret);
        await using var perTask = await WebhookReceiver.StartAsync(taskSecret);
        var port = ServerProcess.FreePort();
        using var server = await ServerProcess.StartAsync(port,
        [
            $"--Orchestrator:Storage:ConnectionString={dir.SqliteConnectionString()}",
            $"--Orchestrator:Results:Directory={Path.Combine(dir.Path, "results")}",
            "--Simulator:InProcess=false",
            $"--Orchestrator:Providers:simulator:BaseUrl={sim.BaseUrl}",
            .. Account("dmxapi", "dmxapi", sim.BaseUrl, ("ApiKey", dmxKey)),
            .. Account("kling", "kling", sim.BaseUrl, ("AccessKey", klingAk), ("SecretKey", klingSk)),
            .. Account("chanjing", "chanjing", sim.BaseUrl, ("AppId", cjApp), ("SecretKey", cjSecret)),
            .. Account("dmxapi-wrong", "dmxapi", sim.BaseUrl, ("ApiKey", wrongDmx)),
            .. Account("kling-wrong", "kling", sim.BaseUrl, ("AccessKey", klingAk), ("SecretKey", wrongKlingSk)),
            .. Account("chanjing-wrong", "chanjing", sim.BaseUrl, ("AppId", cjApp), ("SecretKey", wrongCjSecret)),
            .. Keys.Key(0, "ops", adminKey, null, "admin"),
            .. Keys.Key(1, "acme-app", submitKey, "acme", "submit"),
            $"--Orchestrator:Callbacks:Secret={callbackSecret}",
            $"--Orchestrator:PublicBaseUrl=http://127.0.0.1:{port}",
            $"--Orchestrator:Webhooks:TaskWebhookSecret={taskSecret}",
            "--Orchestrator:Tasks:MaxSubmitAttempts=1",
            "--Orchestrator:Polling:ImageFloorSeconds=0.2", "--Orchestrator:Polling:ImagePriorSeconds=0.2", "--Orchestrator:Polling:CapSeconds=1",
            // Everything a server can say: every category at Trace, Akka at Debug.
            "--Logging:LogLevel:Default=Trace", "--Logging:LogLevel:Microsoft=Trace", "--Logging:LogLevel:Microsoft.AspNetCore=Trace",
            "--Logging:LogLevel:System.Net.Http.HttpClient=Trace", "--Orchestrator:AkkaLogLevel=Debug",
        ]);
        var answers = new AnswerRecorder();
        using var admin = answers.Client(server.BaseUrl, adminKey);
        using var submit = answers.Client(server.BaseUrl, submitKey);
        using var wrong = answers.Client(server.BaseUrl, wrongApiKey);

        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/v1/tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostAsJsonAsync("/v1/tasks", TaskBody("dmxapi", "with a wrong key", perTask.Url))).StatusCode);
        var registered = await submit.PostAsJsonAsync("/v1/webhooks", new { url = endpoint.Url, secret = endpointSecret });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var endpointId = (await registered.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        // The one answer that hands a secret to its owner, by design: it is searched with that secret taken out.
        answers.Exempt(registered, endpointSecret);

        var succeeding = new List<string>();
        foreach (var account in new[] { "dmxapi", "kling", "chanjing" })
            succeeding.Add(await SubmitAsync(submit, account, "succeeds", perTask.Url));
        foreach (var id in succeeding) Assert.Equal("succeeded", (await WaitForEndAsync(submit, id))["status"]!.GetValue<string>());
        var failing = new List<string>();
        foreach (var account in new[] { "dmxapi-wrong", "kling-wrong", "chanjing-wrong" })
            failing.Add(await SubmitAsync(submit, account, "refused", perTask.Url));
        foreach (var account in new[] { "dmxapi", "kling", "chanjing" })
        {
            sim.Sim.Inject(account, SimulatedFault.EchoCredentials, 1);
            var id = await SubmitAsync(submit, account, "echoed", perTask.Url);
            failing.Add(id);
            await WaitForEndAsync(submit, id);
        }
        foreach (var id in failing) Assert.Equal("failed", (await WaitForEndAsync(submit, id))["status"]!.GetValue<string>());
        // Not configured but as good as the key for a day: the token Chanjing issued, which its echo quoted.
        c.Add("Chanjing access token", sim.Sim.Account("chanjing").CurrentAccessToken!);
        var all = succeeding.Concat(failing).ToList();
        await WebhookTestServer.WaitForAllAsync(endpoint, all);
        await WebhookTestServer.WaitForAllAsync(perTask, all);
        Assert.All(endpoint.Requests.Concat(perTask.Requests), r => Assert.True(r.SignatureValid));

        foreach (var id in all) await admin.GetAsync($"/v1/tasks/{id}");
        foreach (var id in succeeding) Assert.Equal(HttpStatusCode.OK, (await submit.GetAsync($"/v1/tasks/{id}/results/0")).StatusCode);
        foreach (var path in new[] { "/v1/tasks", "/v1/providers", "/v1/webhooks", $"/v1/webhooks/{endpointId}", $"/v1/webhooks/{endpointId}/deliveries",
                     "/v1/webhooks/task-webhooks/deliveries", "/v1/admin/stuck", "/healthz" })
            await admin.GetAsync(path);
        var sse = await ReadEventsAsync(server.BaseUrl, adminKey, all.Count);

        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        SqliteConnection.ClearAllPools();

        var leaks = new List<string>();
        var log = string.Join("\n", server.Output);
        leaks.AddRange(c.FoundIn(log).Select(n => $"{n} in the server's log"));
        foreach (var (what, bytes) in answers.All) leaks.AddRange(c.FoundIn(bytes).Select(n => $"{n} in the answer to {what}"));
        leaks.AddRange(c.FoundIn(sse).Select(n => $"{n} in the SSE stream"));
        foreach (var r in endpoint.Requests.Concat(perTask.Requests))
            leaks.AddRange(c.FoundIn(r.Headers + "\n\n" + r.Body).Select(n => $"{n} in webhook request {r.WebhookId}"));
        var files = Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories);
        foreach (var file in files) leaks.AddRange(c.FoundIn(File.ReadAllBytes(file)).Select(n => $"{n} in {Path.GetRelativePath(dir.Path, file)}"));

        output.WriteLine($"{c.Count} canaries; searched {server.Output.Count} log lines ({log.Length:N0} characters), {answers.All.Count} answers, "
            + $"{all.Count} SSE events, {endpoint.RequestCount + perTask.RequestCount} webhook requests, {files.Length} files "
            + $"({files.Sum(f => new FileInfo(f).Length):N0} bytes: {string.Join(", ", files.Select(f => Path.GetRelativePath(dir.Path, f)).Order())}); "
            + $"{started.Elapsed.TotalSeconds:0.0} s");
        Assert.True(leaks.Count == 0, "Leaked:\n" + string.Join("\n", leaks.Distinct()));
        // What was searched holds what it should: result files, and the key ring that encrypted the endpoint's secret.
        Assert.Contains(files, f => f.Contains($"{Path.DirectorySeparatorChar}results{Path.DirectorySeparatorChar}"));
        Assert.Contains(files, f => f.Contains($"{Path.DirectorySeparatorChar}keys{Path.DirectorySeparatorChar}"));
    }

    private static string[] Account(string name, string type, string baseUrl, params (string Key, string Value)[] credentials) =>
    [
        $"--Orchestrator:Providers:{name}:Type={type}",
        $"--Orchestrator:Providers:{name}:BaseUrl={baseUrl}",
        $"--Orchestrator:Providers:{name}:Qps=20",
        .. credentials.Select(kv => $"--Orchestrator:Providers:{name}:{kv.Key}={kv.Value}"),
    ];

    private static Dictionary<string, object?> TaskBody(string provider, string prompt, string webhookUrl) => new()
    {
        ["provider"] = provider, ["kind"] = "text-to-image", ["model"] = "kling-v2-1", ["prompt"] = prompt, ["webhookUrl"] = webhookUrl,
    };

    private static async Task<string> SubmitAsync(HttpClient http, string provider, string prompt, string webhookUrl)
    {
        var response = await http.PostAsJsonAsync("/v1/tasks", TaskBody(provider, $"{prompt} on {provider}", webhookUrl));
        Assert.True(response.IsSuccessStatusCode, $"submit to {provider}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
    }

    private static Task<JsonNode> WaitForEndAsync(HttpClient http, string id) =>
        Eventually.Until(async () => (await http.GetFromJsonAsync<JsonNode>($"/v1/tasks/{id}"))!,
            v => v["status"]!.GetValue<string>() is "succeeded" or "failed" or "cancelled" or "timed_out", TimeSpan.FromSeconds(60), $"task {id} to end");

    /// <summary>The raw SSE stream from the start, headers included, until <paramref name="count"/> events have come.</summary>
    private static async Task<string> ReadEventsAsync(string baseUrl, string key, int count)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/events?from=start");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        var text = new StringBuilder().AppendLine(response.ToString());
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        for (var events = 0; events < count;)
        {
            var line = await reader.ReadLineAsync(cancel.Token) ?? throw new InvalidOperationException($"The stream ended after {events} events.");
            text.AppendLine(line);
            if (line.StartsWith("data:", StringComparison.Ordinal)) events++;
        }
        return text.ToString();
    }

    /// <summary>Keeps every answer the clients it makes receive: status line, headers and body.</summary>
    private sealed class AnswerRecorder
    {
        private readonly List<(string What, HttpResponseMessage Response, byte[] Bytes)> _answers = [];

        public IReadOnlyList<(string What, byte[] Bytes)> All { get { lock (_answers) return _answers.Select(a => (a.What, a.Bytes)).ToList(); } }

        public HttpClient Client(string baseUrl, string key)
        {
            var http = new HttpClient(new Recording(this)) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return http;
        }

        /// <summary>Searches <paramref name="response"/> with <paramref name="secret"/> taken out of it.</summary>
        public void Exempt(HttpResponseMessage response, string secret)
        {
            lock (_answers)
            {
                var i = _answers.FindIndex(a => a.Response == response);
                var text = Encoding.UTF8.GetString(_answers[i].Bytes);
                Assert.Contains(secret, text);
                _answers[i] = (_answers[i].What, response, Encoding.UTF8.GetBytes(text.Replace(secret, "")));
            }
        }

        private sealed class Recording(AnswerRecorder recorder) : DelegatingHandler(new HttpClientHandler())
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
            {
                var response = await base.SendAsync(request, ct);
                var body = await response.Content.ReadAsByteArrayAsync(ct);
                var head = Encoding.UTF8.GetBytes($"{response}\n{response.Content.Headers}\n");
                lock (recorder._answers) recorder._answers.Add(($"{request.Method} {request.RequestUri!.PathAndQuery}", response, [.. head, .. body]));
                return response;
            }
        }
    }
}
