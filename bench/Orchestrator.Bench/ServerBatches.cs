using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Orchestrator.Bench;

/// <summary>
/// Fills a server with tasks over its HTTP API: <c>POST /v1/batches</c> (JSON Lines, durable at the 202) in uploads of
/// at most 10,000 lines, then <c>GET /v1/batches/{id}</c> until the tasks have ended or all reached the provider. The
/// fastest public way to prepare a journal with hundreds of thousands of tasks.
/// </summary>
public static class ServerBatches
{
    private const int LinesPerUpload = 10_000;
    private const int MaxAttempts = 60;

    /// <returns>The batch ids.</returns>
    public static async Task<List<string>> UploadAsync(ServerChild server, int tasks)
    {
        var ids = new List<string>();
        for (var done = 0; done < tasks; done += LinesPerUpload)
        {
            // A 503 (the journal behind: nothing stored) or 429 says when to come back: the upload is sent again then, under
            // the same key, so one that was stored after all is not stored twice.
            var key = Guid.NewGuid().ToString("N");
            for (var attempt = 1; ; attempt++)
            {
                using var content = new GeneratedBatchContent(Math.Min(LinesPerUpload, tasks - done));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/batches") { Content = content };
                request.Headers.Add("Idempotency-Key", key);
                using var response = await server.Http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests && attempt < MaxAttempts)
                {
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5);
                    Console.WriteLine($"  upload {done / LinesPerUpload + 1}: {(int)response.StatusCode}, sent again in {wait.TotalSeconds:0} s");
                    await Task.Delay(wait);
                    continue;
                }
                if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.OK)) throw new InvalidOperationException($"POST /v1/batches answered {(int)response.StatusCode}: {body}");
                ids.Add(JsonSerializer.Deserialize<JsonElement>(body).GetProperty("batchId").GetString()!);
                break;
            }
        }
        return ids;
    }

    /// <summary>Waits until every task of the batches has ended; false when <paramref name="timeout"/> ran out first.</summary>
    public static Task<bool> WaitEndedAsync(ServerChild server, IReadOnlyList<string> batchIds, TimeSpan timeout) =>
        WaitAsync(server, batchIds, timeout, "ended", b => b.GetProperty("total").GetInt32() - b.GetProperty("ended").GetInt32());

    /// <summary>
    /// Waits until no task of the batches is still <c>accepted</c> or <c>submitting</c>: each has its provider's task id
    /// journaled, so after a restart it is resumed by polling, not by submitting again.
    /// </summary>
    public static Task<bool> WaitSubmittedAsync(ServerChild server, IReadOnlyList<string> batchIds, TimeSpan timeout) =>
        WaitAsync(server, batchIds, timeout, "submitted", b => Count(b, "accepted") + Count(b, "submitting"));

    private static async Task<bool> WaitAsync(ServerChild server, IReadOnlyList<string> batchIds, TimeSpan timeout, string what, Func<JsonElement, int> left)
    {
        var clock = Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        var pending = batchIds.ToList();
        while (true)
        {
            var remaining = 0;
            foreach (var id in pending.ToList())
            {
                var batch = await server.GetJsonAsync($"/v1/batches/{id}");
                var n = left(batch);
                if (n == 0) pending.Remove(id);
                remaining += n;
            }
            if (pending.Count == 0) return true;
            if (clock.Elapsed > timeout) return false;
            if (clock.Elapsed - reported >= TimeSpan.FromSeconds(15))
            {
                reported = clock.Elapsed;
                Console.WriteLine($"  {clock.Elapsed.TotalSeconds,5:0} s: {remaining:N0} tasks not yet {what}");
            }
            await Task.Delay(1000);
        }
    }

    private static int Count(JsonElement batch, string status) =>
        batch.GetProperty("counts").TryGetProperty(status, out var n) ? n.GetInt32() : 0;
}
