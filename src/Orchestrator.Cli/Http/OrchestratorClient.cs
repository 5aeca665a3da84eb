using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Orchestrator.Batches;
using Orchestrator.Contracts;
using Orchestrator.Hosting;
using Orchestrator.Tasks;

namespace Orchestrator.Cli.Http;

/// <summary>
/// The server's HTTP API as the CLI uses it, read into the API's own records (Orchestrator.Contracts). Every non-success
/// answer becomes an <see cref="ApiException"/>. Result URLs in task documents are made absolute on arrival, so every
/// command prints URLs a person can open.
/// </summary>
public sealed partial class OrchestratorClient : IDisposable
{
    // Plain calls get this much time; streams (uploads, events, downloads) are bounded only by cancellation.
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);
    private readonly HttpClient _http;

    // A request carries only the fields given, so the server's defaults apply to the rest.
    private static readonly JsonSerializerOptions OnlyGivenFields = new(WireJson.Options) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <param name="server">The server's base URL.</param>
    /// <param name="apiKey">Sent as <c>Authorization: Bearer</c> on requests to <paramref name="server"/>, never elsewhere.</param>
    public OrchestratorClient(Uri server, string? apiKey = null)
    {
        // No client-wide timeout: it would cut long-lived event streams and large uploads.
        _http = new HttpClient(new ServerKeyHandler(server, apiKey) { InnerHandler = new HttpClientHandler() })
            { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("orchestrator-cli/1.0");
    }

    public Uri Server => _http.BaseAddress!;

    /// <summary>A URL from the server (absolute, or relative like a <c>storedUrl</c> without a public base) made absolute.</summary>
    public Uri Resolve(string url) => new(Server, url);

    public async Task<(Answer<TaskView> Task, bool Created)> SubmitAsync(TaskSubmission request, CancellationToken ct)
    {
        using var timeout = Timed(ct);
        using var response = await _http.PostAsJsonAsync("v1/tasks", request, OnlyGivenFields, timeout.Token);
        return (await ReadAsync<TaskView>(response, TaskIsRoot, timeout.Token), response.StatusCode == HttpStatusCode.Accepted);
    }

    public Task<Answer<TaskView>> GetTaskAsync(string id, CancellationToken ct) =>
        CallAsync<TaskView>(HttpMethod.Get, $"v1/tasks/{Uri.EscapeDataString(id)}", TaskIsRoot, ct);

    public Task<Answer<TaskView>> CancelTaskAsync(string id, CancellationToken ct) =>
        CallAsync<TaskView>(HttpMethod.Delete, $"v1/tasks/{Uri.EscapeDataString(id)}", TaskIsRoot, ct);

    /// <summary>A page of tasks, newest first; a null filter is left out.</summary>
    public Task<Answer<TaskPage>> ListTasksAsync(string? status, string? provider, int? limit, string? after, CancellationToken ct) =>
        CallAsync<TaskPage>(HttpMethod.Get, "v1/tasks" + Query(("status", status), ("provider", provider), ("limit", limit?.ToString()), ("after", after)),
            page => page["items"] is JsonArray items ? items : [], ct);

    public Task<Answer<ProviderList>> ProvidersAsync(CancellationToken ct) =>
        CallAsync<ProviderList>(HttpMethod.Get, "v1/providers", null, ct);

    /// <summary><c>/healthz</c>: 200 ready, 503 still starting; both are answers, not errors.</summary>
    public async Task<Answer<HealthStatus>> HealthAsync(CancellationToken ct)
    {
        using var timeout = Timed(ct);
        using var response = await _http.GetAsync("healthz", timeout.Token);
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (TryParse(body) is JsonObject document && document["status"] is not null)
                return new Answer<HealthStatus>(document.Deserialize<HealthStatus>(WireJson.Options)!, document);
            throw new ApiException(response.StatusCode, TryRead<Problem>(body));
        }
        return await ReadAsync<HealthStatus>(response, null, timeout.Token);
    }

    /// <summary>
    /// Posts a batch file as the request body, streamed from disk. A 400 that lists rejected lines is an answer,
    /// not an error: it comes back with a null batch id.
    /// </summary>
    public async Task<Answer<BatchAcceptance>> SubmitBatchAsync(Stream lines, string mediaType, bool atomic, CancellationToken ct)
    {
        using var content = new StreamContent(lines, 64 * 1024);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await _http.PostAsync(atomic ? "v1/batches?atomic=true" : "v1/batches", content, ct);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (TryParse(body) is JsonObject refused && refused.ContainsKey("rejected"))
                return new Answer<BatchAcceptance>(refused.Deserialize<BatchAcceptance>(WireJson.Options)!, refused);
            throw new ApiException(response.StatusCode, TryRead<Problem>(body));
        }
        return await ReadAsync<BatchAcceptance>(response, null, ct);
    }

    public Task<Answer<BatchView>> GetBatchAsync(string batchId, CancellationToken ct) =>
        CallAsync<BatchView>(HttpMethod.Get, $"v1/batches/{Uri.EscapeDataString(batchId)}", null, ct);

    public Task<Answer<BatchRetryAcceptance>> RetryBatchAsync(string batchId, CancellationToken ct) =>
        CallAsync<BatchRetryAcceptance>(HttpMethod.Post, $"v1/batches/{Uri.EscapeDataString(batchId)}/retry", null, ct);

    public Task<Answer<BatchCancellation>> CancelBatchAsync(string batchId, CancellationToken ct) =>
        CallAsync<BatchCancellation>(HttpMethod.Delete, $"v1/batches/{Uri.EscapeDataString(batchId)}", null, ct);

    /// <summary>Every ended task of a batch, read line by line from the server's NDJSON as it arrives.</summary>
    public async IAsyncEnumerable<TaskView> BatchResultsAsync(string batchId, [EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await _http.GetAsync($"v1/batches/{Uri.EscapeDataString(batchId)}/results", HttpCompletionOption.ResponseHeadersRead, ct);
        await ThrowIfFailedAsync(response, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            var task = JsonNode.Parse(line) ?? throw new JsonException("A results line was null.");
            yield return ResolveResultUrls(task).Deserialize<TaskView>(WireJson.Options)!;
        }
    }

    /// <summary>Opens a GET whose body the caller streams (events, result files); the caller disposes the response.</summary>
    public async Task<HttpResponseMessage> OpenAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        try
        {
            await ThrowIfFailedAsync(response, ct);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Makes a task document's result URLs (<c>url</c>, <c>storedUrl</c>) absolute against the server; returns it.</summary>
    public JsonNode ResolveResultUrls(JsonNode task)
    {
        if (task["results"] is not JsonArray results) return task;
        foreach (var result in results.OfType<JsonObject>())
            foreach (var field in (string[])["url", "storedUrl"])
                if (result[field] is JsonValue value && value.TryGetValue<string>(out var url) && url.Length > 0)
                    result[field] = Resolve(url).ToString();
        return task;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>"?a=1&amp;b=x" from the pairs whose value is given; "" when none is.</summary>
    public static string Query(params (string Key, string? Value)[] pairs)
    {
        var given = pairs.Where(p => !string.IsNullOrWhiteSpace(p.Value)).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }

    private static IEnumerable<JsonNode?> TaskIsRoot(JsonNode document) => [document];

    private async Task<Answer<T>> CallAsync<T>(HttpMethod method, string path, Func<JsonNode, IEnumerable<JsonNode?>>? tasksIn, CancellationToken ct,
        HttpContent? content = null)
    {
        using var timeout = Timed(ct);
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await _http.SendAsync(request, timeout.Token);
        return await ReadAsync<T>(response, tasksIn, timeout.Token);
    }

    private static CancellationTokenSource Timed(CancellationToken ct)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(CallTimeout);
        return cts;
    }

    /// <summary>Reads the answer's document, makes the result URLs of the task documents in it absolute, then types it.</summary>
    private async Task<Answer<T>> ReadAsync<T>(HttpResponseMessage response, Func<JsonNode, IEnumerable<JsonNode?>>? tasksIn, CancellationToken ct)
    {
        await ThrowIfFailedAsync(response, ct);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))
            ?? throw new JsonException($"The server answered {(int)response.StatusCode} with an empty body.");
        foreach (var task in tasksIn?.Invoke(document) ?? [])
            if (task is not null) ResolveResultUrls(task);
        var value = document.Deserialize<T>(WireJson.Options) ?? throw new JsonException($"The server answered {(int)response.StatusCode} with null.");
        return new Answer<T>(value, document);
    }

    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(ct);
        throw new ApiException(response.StatusCode, TryRead<Problem>(body), response.Headers.RetryAfter?.Delta);
    }

    private static JsonNode? TryParse(string body)
    {
        try { return JsonNode.Parse(body); }
        catch (JsonException) { return null; }
    }

    private static T? TryRead<T>(string body) where T : class
    {
        try { return JsonSerializer.Deserialize<T>(body, WireJson.Options); }
        catch (JsonException) { return null; }
    }
}
