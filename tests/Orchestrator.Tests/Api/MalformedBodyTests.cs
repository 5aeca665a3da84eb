using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

/// <summary>
/// Bodies the JSON parser lets through but no reader can decode, and a chunked body Kestrel cannot frame: each a 400
/// naming the body, never a 500 (both found by the fuzz run, <c>HostileInputTests</c>).
/// </summary>
public sealed class MalformedBodyTests() : ServerTest(new SimulatorOptions())
{
    private static readonly byte[] NotUtf8Name = [.. "{\"provider\":\"simulator\",\"kind\":\"text-to-image\",\"model\":\"kling-v1-5\",\"prompt\":\"a cat\",\""u8, 0xFF, .. "\":\"x\"}"u8];

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    [Fact]
    public async Task A_task_whose_field_name_is_not_utf8_is_a_400_naming_the_body_and_nothing_is_persisted()
    {
        var content = new ByteArrayContent(NotUtf8Name) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

        var problem = await ProblemAsync(await Server.Http.PostAsync("/v1/tasks", content));

        Assert.Contains("UTF-8", (string?)problem["errors"]?["body"]?[0]);
        Assert.Empty((await Server.Http.GetFromJsonAsync<JsonObject>("/v1/tasks"))!["items"]!.AsArray());
    }

    [Fact]
    public async Task A_batch_line_that_is_not_utf8_is_rejected_and_the_valid_line_runs()
    {
        byte[] body = [.. Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(Requests.Image("a cat")) + "\n"), .. NotUtf8Name];
        var content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-ndjson") } };

        var response = await Server.Http.PostAsync("/v1/batches", content);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"got {(int)response.StatusCode}: {text}");
        var answer = JsonNode.Parse(text)!;
        Assert.Equal(1, (int)answer["accepted"]!);
        Assert.Equal(2, (int)answer["rejected"]![0]!["line"]!);
        var error = answer["rejected"]![0]!["errors"]![0]!;
        Assert.Equal("body", (string?)error["field"]);
        Assert.Contains("UTF-8", (string?)error["message"]);
    }

    [Fact]
    public async Task A_chunk_size_too_large_to_count_is_a_400_naming_the_body()
    {
        var port = Server.Http.BaseAddress!.Port;
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n{{}}"));
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var n = await stream.ReadAsync(buffer, timeout.Token);
        var answer = Encoding.ASCII.GetString(buffer, 0, n);

        Assert.StartsWith("HTTP/1.1 400 ", answer);
        Assert.Contains("\"body\"", answer);
    }
}
