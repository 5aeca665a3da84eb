using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Contracts;
using Orchestrator.Events;

namespace Orchestrator.Cli.Http;

/// <summary>One completion from the stream, with the server's document (what <c>--json</c> prints; result URLs made absolute).</summary>
public sealed record ReceivedCompletion(TaskCompletion Completion, JsonNode Document);

/// <summary>
/// Follows <c>GET /v1/events</c> from now, from the start, or after an offset. The server's first heartbeat names the
/// offset the stream starts after; a connection that drops is reopened with <c>Last-Event-ID</c> set to the last offset
/// known, so nothing is missed and nothing repeated. What ends the stream with an error: a server that
/// cannot be reached at all on the first try (a wrong <c>--server</c>), and a 4xx (a refused filter or offset).
/// </summary>
public sealed class CompletionStream(OrchestratorClient client, Action<string> notice)
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(15);

    /// <summary>The offset of the last completion received (or where the stream started): where a later <c>--from</c> resumes.</summary>
    public long? LastOffset { get; private set; }

    /// <param name="query">The filters, <c>?status=…</c>, or "".</param>
    /// <param name="after">Resume after this offset; null starts now, or at the first completion with <paramref name="fromStart"/>.</param>
    /// <param name="fromStart">Replay every completion (when <paramref name="after"/> is null).</param>
    /// <param name="ct">Stops following.</param>
    public async IAsyncEnumerable<ReceivedCompletion> FollowAsync(string query, long? after, bool fromStart, [EnumeratorCancellation] CancellationToken ct)
    {
        LastOffset = after;
        var retry = FirstRetry;
        var connected = false;
        while (true)
        {
            using var response = await ConnectAsync(query, fromStart, firstTry: !connected, ct);
            if (response is null)
            {
                await BackOffAsync("the server is not answering", ref retry, fromStart, ct);
                continue;
            }
            var reconnected = connected;
            connected = true;
            retry = FirstRetry;
            var announced = false;
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            await using var items = SseParser.Create(body).EnumerateAsync(ct).GetAsyncEnumerator(ct);
            string? dropped = "the server closed the stream";
            while (true)
            {
                try
                {
                    if (!await items.MoveNextAsync()) break;
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException && !ct.IsCancellationRequested)
                {
                    dropped = ex.Message;
                    break;
                }
                var item = items.Current;
                var hasId = long.TryParse(item.EventId, NumberStyles.None, CultureInfo.InvariantCulture, out var offset);
                if (item.EventType == "heartbeat")
                {
                    // The first one carries where the stream starts.
                    if (hasId) LastOffset = offset;
                    if (!announced && LastOffset is { } start)
                        notice(reconnected ? $"reconnected; resuming after offset {start}." : $"watching completions after offset {start} (Ctrl+C stops).");
                    announced = true;
                    continue;
                }
                var document = JsonNode.Parse(item.Data) ?? throw new JsonException("An event's data was null.");
                if (document["task"] is { } task) client.ResolveResultUrls(task);
                var completion = document.Deserialize<TaskCompletion>(WireJson.Options) ?? throw new JsonException("An event's data was null.");
                LastOffset = hasId ? offset : completion.Offset;
                yield return new ReceivedCompletion(completion, document);
            }
            await BackOffAsync($"connection lost ({dropped})", ref retry, fromStart, ct);
        }
    }

    /// <summary>Null when connecting failed in a way worth retrying; other failures are thrown.</summary>
    private async Task<HttpResponseMessage?> ConnectAsync(string query, bool fromStart, bool firstTry, CancellationToken ct)
    {
        // Without a position the server starts now; once it has named one, that is where a reconnection resumes.
        var path = "v1/events" + query + (LastOffset is null && fromStart ? (query.Length == 0 ? "?" : "&") + "from=start" : "");
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (LastOffset is { } offset) request.Headers.Add("Last-Event-ID", offset.ToString(CultureInfo.InvariantCulture));
        try
        {
            return await client.OpenAsync(request, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && IsTransient(ex, firstTry))
        {
            return null;
        }
    }

    /// <summary>
    /// A stream's response headers may come only with its first event, so a server restarting while nothing happens
    /// looks like a failed connect (a reset, or a 500 from its shutdown) even on the first try: only "nothing listens
    /// there" on the first try is final.
    /// </summary>
    private static bool IsTransient(Exception ex, bool firstTry) => ex switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => !firstTry,
        HttpRequestException or IOException => true,
        ApiException api => api.Status >= HttpStatusCode.InternalServerError || api.Status == HttpStatusCode.TooManyRequests,
        _ => false,
    };

    private Task BackOffAsync(string why, ref TimeSpan retry, bool fromStart, CancellationToken ct)
    {
        notice($"{why}; reconnecting in {retry.TotalSeconds:0} s {(LastOffset is { } o ? $"after offset {o}" : fromStart ? "from the start" : "from now")}…");
        var wait = retry;
        retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LongestRetry.Ticks));
        return Task.Delay(wait, ct);
    }
}
