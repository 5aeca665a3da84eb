using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Cli.Wire;

namespace Orchestrator.Cli.Http;

/// <summary>The server's HTTP API as the CLI uses it. Every non-success answer becomes an <see cref="ApiException"/>.</summary>
public sealed class OrchestratorClient : IDisposable
{
    // Plain calls get this much time; streams (uploads, events, downloads) are bounded only by cancellation.
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);
    private readonly HttpClient _http;

    public OrchestratorClient(Uri server)
    {
        // No client-wide timeout: it would cut long-lived event streams and large uploads.
        _http = new HttpClient { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("orchestrator-cli/1.0");
    }

    public Uri Server => _http.BaseAddress!;

    /// <summary>A URL from the server (absolute, or relative like a <c>storedUrl</c> without a public base) made absolute.</summary>
    public Uri Resolve(string url) => new(Server, url);

    public async Task<(TaskView View, bool Created)> SubmitAsync(JsonObject request, CancellationToken ct)
    {
        using var timeout = Timed(ct);
        using var response = await _http.PostAsJsonAsync("v1/tasks", request, WireJson.Options, timeout.Token);
        return (await ReadAsync<TaskView>(response, timeout.Token), response.StatusCode == HttpStatusCode.Accepted);
    }

    public async Task<TaskView> GetTaskAsync(string id, CancellationToken ct)
    {
        using var timeout = Timed(ct);
        using var response = await _http.GetAsync($"v1/tasks/{Uri.EscapeDataString(id)}", timeout.Token);
        return await ReadAsync<TaskView>(response, timeout.Token);
    }

    public async Task<TaskView> CancelTaskAsync(string id, CancellationToken ct)
    {
        using var timeout = Timed(ct);
        using var response = await _http.DeleteAsync($"v1/tasks/{Uri.EscapeDataString(id)}", timeout.Token);
        return await ReadAsync<TaskView>(response, timeout.Token);
    }

    /// <summary>
    /// Posts a batch file as the request body, streamed from disk. A 400 that lists rejected lines is an answer,
    /// not an error: it comes back with a null batch id.
    /// </summary>
    public async Task<BatchAcceptance> SubmitBatchAsync(Stream lines, string mediaType, bool atomic, CancellationToken ct)
    {
        using var content = new StreamContent(lines, 64 * 1024);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await _http.PostAsync(atomic ? "v1/batches?atomic=true" : "v1/batches", content, ct);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (TryRead<BatchAcceptance>(body) is { } refused && IsBatchAnswer(body)) return refused;
            throw new ApiException(response.StatusCode, TryRead<Problem>(body));
        }
        return await ReadAsync<BatchAcceptance>(response, ct);
    }

    public async Task<BatchProgress> GetBatchAsync(string batchId, CancellationToken ct)
    {
        using var timeout = Timed(ct);
        using var response = await _http.GetAsync($"v1/batches/{Uri.EscapeDataString(batchId)}", timeout.Token);
        return await ReadAsync<BatchProgress>(response, timeout.Token);
    }

    public async Task<BatchCancellation> CancelBatchAsync(string batchId, CancellationToken ct)
    {
        using var timeout = Timed(ct);
        using var response = await _http.DeleteAsync($"v1/batches/{Uri.EscapeDataString(batchId)}", timeout.Token);
        return await ReadAsync<BatchCancellation>(response, timeout.Token);
    }

    /// <summary>Every ended task of a batch, read line by line from the server's NDJSON as it arrives.</summary>
    public async IAsyncEnumerable<TaskView> BatchResultsAsync(string batchId, [EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await _http.GetAsync($"v1/batches/{Uri.EscapeDataString(batchId)}/results", HttpCompletionOption.ResponseHeadersRead, ct);
        await ThrowIfFailedAsync(response, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            yield return JsonSerializer.Deserialize<TaskView>(line, WireJson.Options)
                ?? throw new JsonException("A results line was null.");
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

    public void Dispose() => _http.Dispose();

    private static CancellationTokenSource Timed(CancellationToken ct)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(CallTimeout);
        return cts;
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        await ThrowIfFailedAsync(response, ct);
        return await response.Content.ReadFromJsonAsync<T>(WireJson.Options, ct)
            ?? throw new JsonException($"The server answered {(int)response.StatusCode} with an empty body.");
    }

    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(ct);
        throw new ApiException(response.StatusCode, TryRead<Problem>(body), response.Headers.RetryAfter?.Delta);
    }

    private static bool IsBatchAnswer(string body) =>
        JsonNode.Parse(body) is JsonObject o && o.ContainsKey("rejected");

    private static T? TryRead<T>(string body) where T : class
    {
        try { return JsonSerializer.Deserialize<T>(body, WireJson.Options); }
        catch (JsonException) { return null; }
    }
}
