using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orchestrator.Batches;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Batches;

/// <summary>
/// <c>POST /v1/batches</c> with an <c>Idempotency-Key</c>: a client whose answer was lost (its node died mid-request)
/// sends the same upload again and gets the batch it made, never a second one.
/// </summary>
public sealed class BatchIdempotencyTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.4 })
{
    private static string Line(int i, string word = "heron") =>
        JsonSerializer.Serialize(new { provider = "simulator", kind = "text-to-image", model = "kling-v1-5", prompt = $"{word} {i}" });

    private static string Body(int lines, string word = "heron") => string.Join("\n", Enumerable.Range(1, lines).Select(i => Line(i, word)));

    private static Task<HttpResponseMessage> UploadAsync(HttpClient http, string body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/batches") { Content = new StringContent(body, Encoding.UTF8, "application/x-ndjson") };
        request.Headers.Add("Idempotency-Key", key);
        return http.SendAsync(request);
    }

    private async Task<JsonElement> EndedAsync(string batchId, int total) =>
        await Eventually.Until(() => Server.Http.GetFromJsonAsync<JsonElement>($"/v1/batches/{batchId}"),
            b => b.GetProperty("ended").GetInt32() == total, TimeSpan.FromSeconds(60), $"batch {batchId} to end");

    [Fact]
    public async Task The_same_upload_sent_again_is_the_same_batch_and_other_lines_under_its_key_are_409()
    {
        // A bad third line: the repeat lists the same rejection as the first answer did.
        var body = Body(4).Replace("\"heron 3\"", "\"heron 3\",\"count\":99");
        var first = await UploadAsync(Server.Http, body, "nightly-herons");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var made = await first.Content.ReadFromJsonAsync<JsonElement>();
        var batchId = made.GetProperty("batchId").GetString()!;

        var again = await UploadAsync(Server.Http, body, "nightly-herons");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var repeat = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(batchId, repeat.GetProperty("batchId").GetString());
        Assert.Equal(3, repeat.GetProperty("accepted").GetInt32());
        Assert.Equal(1, repeat.GetProperty("rejectedCount").GetInt32());
        Assert.Equal(3, repeat.GetProperty("rejected")[0].GetProperty("line").GetInt32());

        var other = await UploadAsync(Server.Http, Body(4, "egret"), "nightly-herons");
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        var problem = await other.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Idempotency-Key", problem.GetProperty("field").GetString());
        Assert.Equal(batchId, problem.GetProperty("batchId").GetString());

        await EndedAsync(batchId, 3);
        var stats = Sim.Sim.Stats();
        Assert.Equal(3, stats.Tasks); // the repeat and the refused upload ran nothing
        Assert.Equal(0, stats.DuplicateExternalIds);
    }

    [Fact]
    public async Task A_restart_between_the_two_uploads_keeps_the_answer()
    {
        var first = await UploadAsync(Server.Http, Body(3), "after-the-deploy");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var batchId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;
        await EndedAsync(batchId, 3);

        await RestartServerAsync();

        var again = await UploadAsync(Server.Http, Body(3), "after-the-deploy");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(batchId, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await UploadAsync(Server.Http, Body(2), "after-the-deploy")).StatusCode);
        Assert.Equal(3, Sim.Sim.Stats().Tasks);
    }

    [Fact]
    public async Task A_key_longer_than_200_characters_is_refused_naming_the_header_and_nothing_is_stored()
    {
        var refused = await UploadAsync(Server.Http, Body(1), new string('k', 201));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Idempotency-Key", await refused.Content.ReadAsStringAsync());
        var list = await Server.Http.GetFromJsonAsync<JsonElement>("/v1/batches");
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
    }

    /// <summary>
    /// The node dies while the upload is streaming (SIGKILL: the journal holds the opened batch and a chunk of its lines,
    /// no seal, no abandon). The client sends the upload again with its key: that upload is the batch, and nothing of the
    /// first one runs.
    /// </summary>
    [Fact]
    public async Task An_upload_cut_off_by_a_kill_then_sent_again_with_its_key_is_one_batch_of_the_second_upload()
    {
        using var store = TestStores.Sqlite();
        var port = ServerProcess.FreePort();
        var args = ServerProcess.ArgsAgainst(store, Sim.BaseUrl);
        const string key = "cut-off-upload";
        var batchId = BatchIds.ForIdempotencyKey(key); // an admin caller's key is not scoped

        using (var server = await ServerProcess.StartAsync(port, args))
        {
            var stalled = new TaskCompletionSource();
            var content = new PausedUpload(Body(BatchIntake.ChunkSize + 5, "first"), BatchIntake.ChunkSize + 4, stalled.Task, breaksOff: true);
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/batches") { Content = content };
            request.Headers.Add("Idempotency-Key", key);
            var sending = server.Http.SendAsync(request);
            await Eventually.Until(() => Task.FromResult(JournalEvents(store, batchId)), n => n >= 2, TimeSpan.FromSeconds(30),
                "the opened batch and its first chunk to be journaled");
            server.KillHard();
            stalled.SetResult();
            await Assert.ThrowsAnyAsync<Exception>(() => sending);
        }

        using (var restarted = await ServerProcess.StartAsync(port, args))
        {
            var again = await UploadAsync(restarted.Http, Body(3, "second"), key);
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
            var answer = await again.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(batchId, answer.GetProperty("batchId").GetString());
            var done = await Eventually.Until(() => restarted.Http.GetFromJsonAsync<JsonElement>($"/v1/batches/{batchId}"),
                b => b.GetProperty("ended").GetInt32() == 3, TimeSpan.FromSeconds(60), "the batch to end");
            Assert.Equal(3, done.GetProperty("total").GetInt32());
            Assert.Equal(3, done.GetProperty("counts").GetProperty("succeeded").GetInt32());
            var prompts = (await (await restarted.Http.GetAsync($"/v1/batches/{batchId}/results")).Content.ReadAsStringAsync())
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("batchLine").GetInt32());
            Assert.Equal([1, 2, 3], prompts);
        }
        Assert.Equal(3, Sim.Sim.Stats().Tasks); // nothing of the cut-off upload ran
    }

    [Fact]
    public async Task Of_two_uploads_of_one_key_at_once_the_one_taken_over_is_answered_409_and_none_of_its_lines_run()
    {
        const string key = "two-at-once";
        var batchId = BatchIds.ForIdempotencyKey(key);
        // The first upload sends its first chunk's worth of lines and waits: its batch is opened and that chunk stored.
        var paused = new TaskCompletionSource();
        var firstBody = new PausedUpload(Body(BatchIntake.ChunkSize + 5, "first"), BatchIntake.ChunkSize + 2, paused.Task);
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/batches") { Content = firstBody };
        request.Headers.Add("Idempotency-Key", key);
        var first = Server.Http.SendAsync(request);
        await Eventually.Until(() => Task.FromResult(JournalEvents(Store, batchId)), n => n >= 2, TimeSpan.FromSeconds(30),
            "the first upload's batch and first chunk to be journaled");

        // A second upload of the key (a client that gave up waiting and sent again, with other lines) takes the batch over.
        var second = await UploadAsync(Server.Http, Body(3, "second"), key);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        paused.SetResult();

        // Before: the first upload's next write was refused with an exception, and its client got a 500.
        var refused = await first;
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Idempotency-Key", problem.GetProperty("field").GetString());
        Assert.Equal(batchId, problem.GetProperty("batchId").GetString());
        Assert.Contains("took batch", problem.GetProperty("detail").GetString());

        var done = await EndedAsync(batchId, 3);
        Assert.Equal(3, done.GetProperty("total").GetInt32());
        Assert.Equal(3, Sim.Sim.Stats().Tasks); // nothing of the first upload ran
    }

    /// <summary>Events the journal holds for the batch (its SQLite file, read beside the server).</summary>
    private static long JournalEvents(TestStore store, string batchId)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(store.ConnectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM journal WHERE persistence_id = $id";
        cmd.Parameters.AddWithValue("$id", BatchIds.PersistenceId(batchId));
        try { return Convert.ToInt64(cmd.ExecuteScalar()); }
        catch (Microsoft.Data.Sqlite.SqliteException) { return 0; } // no table yet
    }

    /// <summary>
    /// A body that sends its first <c>lines</c> lines, waits for <c>resume</c>, then sends the rest; or, with
    /// <c>breaksOff</c>, fails there (a client whose node dies mid-upload).
    /// </summary>
    private sealed class PausedUpload : HttpContent
    {
        private readonly byte[] _head, _tail;
        private readonly Task _resume;
        private readonly bool _breaksOff;

        public PausedUpload(string body, int lines, Task resume, bool breaksOff = false)
        {
            _breaksOff = breaksOff;
            var all = body.Split('\n');
            _head = Encoding.UTF8.GetBytes(string.Join("\n", all.Take(lines)) + "\n");
            _tail = Encoding.UTF8.GetBytes(string.Join("\n", all.Skip(lines)));
            _resume = resume;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(_head);
            await stream.FlushAsync();
            await _resume;
            if (_breaksOff) throw new IOException("the client gave up with its node");
            await stream.WriteAsync(_tail);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
