using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Batches;

/// <summary>
/// What a batch of junk costs: its rejections are counted and the first few listed, never journaled, and an upload with
/// no valid line leaves nothing behind. A batch past the line limit is refused whole.
/// </summary>
public sealed class BatchUploadLimitTests() : ServerTest(new SimulatorOptions())
{
    private const int MaxLines = 25_000;
    protected override string[] ServerArgs => [$"--Orchestrator:Batches:MaxLines={MaxLines}"];

    private static readonly string Valid = JsonSerializer.Serialize(Requests.Image("a cat"));

    private Task<HttpResponseMessage> UploadAsync(string body) =>
        Server.Http.PostAsync("/v1/batches", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));

    private long Scalar(string sql)
    {
        using var db = new SqliteConnection(Store.ConnectionString);
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar() ?? 0L);
    }

    [Fact]
    public async Task One_valid_line_among_twenty_thousand_empty_objects_lists_the_first_hundred_rejections_and_journals_none()
    {
        var body = Valid + "\n" + string.Concat(Enumerable.Repeat("{}\n", 20_000));

        var response = await UploadAsync(body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(text.Length < 64 * 1024, $"the answer is {text.Length} characters");
        var answer = JsonNode.Parse(text)!;
        Assert.Equal(1, (int)answer["accepted"]!);
        Assert.Equal(20_000, (int)answer["rejectedCount"]!);
        var listed = answer["rejected"]!.AsArray();
        Assert.Equal(100, listed.Count);
        Assert.Equal(2, (int)listed[0]!["line"]!);
        var batch = await Server.Http.GetFromJsonAsync<JsonObject>($"/v1/batches/{answer["batchId"]}");
        Assert.Equal(20_000, (int)batch!["rejected"]!);
        // The batch's events hold its one task, not twenty thousand rejections.
        var largest = Scalar("SELECT MAX(LENGTH(message)) FROM journal");
        Assert.True(largest < 16 * 1024, $"the largest journal event is {largest} bytes");
    }

    [Fact]
    public async Task Five_thousand_uploads_of_a_bad_line_leave_no_journal_rows()
    {
        // Batch rows only: the server's own start-up writes (the webhook task secret) may land meanwhile.
        const string batchRows = "SELECT COUNT(*) FROM journal WHERE persistence_id LIKE 'batch-%'";
        var before = Scalar(batchRows);
        for (var i = 0; i < 5000; i++)
        {
            var response = await UploadAsync("x");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        Assert.Equal(before, Scalar(batchRows));
    }

    [Fact]
    public async Task A_batch_past_the_line_limit_is_a_413_naming_the_limit_and_none_of_it_runs()
    {
        var body = string.Concat(Enumerable.Repeat(Valid + "\n", MaxLines + 1));

        var response = await UploadAsync(body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"got {(int)response.StatusCode}: {text[..Math.Min(500, text.Length)]}");
        var problem = JsonNode.Parse(text)!;
        Assert.Contains(MaxLines.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), (string?)problem["detail"]);
        Assert.Equal(MaxLines, (int?)problem["limit"]);
        Assert.Empty((await Server.Http.GetFromJsonAsync<JsonObject>("/v1/tasks"))!["items"]!.AsArray());
    }
}
