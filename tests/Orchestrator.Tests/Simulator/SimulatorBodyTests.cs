using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Simulator;

/// <summary>A body that parses as JSON but holds bytes that are not UTF-8 is refused as the provider refuses a bad body, never a 500.</summary>
[Collection(SimulatorCollection.Name)]
public sealed class SimulatorBodyTests : IAsyncLifetime
{
    private SimulatorHarness _h = null!;

    public async Task InitializeAsync() => _h = await SimulatorHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_token_request_whose_field_name_is_not_utf8_is_answered_with_chanjings_format_error()
    {
        byte[] body = [.. "{\""u8, 0xFF, .. "\":\"x\",\"app_id\":\"sim-app\"}"u8];
        var content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

        using var response = await _h.Http.PostAsync("/open/v1/access_token", content);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode == 200, $"got {(int)response.StatusCode}: {text}");
        Assert.Equal(400, (int?)JsonNode.Parse(text)!["code"]);
    }
}
