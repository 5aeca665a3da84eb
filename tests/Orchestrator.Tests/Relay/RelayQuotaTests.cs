using Orchestrator.Simulator;
using Orchestrator.Tests.Security;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Relay;

/// <summary>
/// The optional relay quota (<c>Orchestrator:Relay:Quota</c>), per tenant, answered in each style's own limit codes:
/// Kling and DMXAPI 429 with 1302 (rate) or 1303 (unfinished tasks), Chanjing 40001. Each style's test is its own tenant.
/// </summary>
public sealed class RelayQuotaTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 2, ImageMaxSeconds = 3 })
{
    private const string KlingKey = "kling-co-submit-key-0123456789";
    private const string DmxKey = "dmx-co-submit-key-0123456789";
    private const string ChanjingKey = "chan-co-submit-key-0123456789";

    protected override string[] ServerArgs =>
    [
        .. Keys.Key(0, "ops", Keys.Admin, null, "admin"),
        .. Keys.Key(1, "kling-co", KlingKey, "kling-co", "submit"),
        .. Keys.Key(2, "dmx-co", DmxKey, "dmx-co", "submit"),
        .. Keys.Key(3, "chan-co", ChanjingKey, "chan-co", "submit"),
        // Three creates, then one a hundred seconds; one unfinished task at a time.
        "--Orchestrator:Relay:Quota:SubmitsPerSecond=0.01", "--Orchestrator:Relay:Quota:Burst=3", "--Orchestrator:Relay:Quota:MaxUnfinished=1",
    ];

    private RelayClient Client => new(Server);
    private static readonly object Image = new { model_name = "kling-v1-5", prompt = "a kangaroo" };

    [Fact]
    public async Task DMXAPI_style_answers_1303_past_the_tenants_unfinished_tasks_and_takes_the_next_once_one_ends()
    {
        const string auth = "Bearer " + DmxKey;
        var first = await Client.PostAsync("/kling/v1/images/generations", Image, auth);
        Assert.Equal((200, 0), (first.Status, first.Body["code"]!.GetValue<int>()));
        var refused = await Client.PostAsync("/kling/v1/images/generations", Image, auth);
        Assert.Equal((429, 1303), (refused.Status, refused.Body["code"]!.GetValue<int>()));
        Assert.NotNull(refused.Body["request_id"]);

        await Client.KlingUntilEndedAsync($"/kling/v1/images/generations/{first.Body["data"]!["task_id"]}", auth);
        var next = await Eventually.Until(() => Client.PostAsync("/kling/v1/images/generations", Image, auth), a => a.Status != 429 || a.Body["code"]!.GetValue<int>() != 1303,
            TimeSpan.FromSeconds(10), "the place to be given back");
        Assert.Equal((200, 0), (next.Status, next.Body["code"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Kling_style_answers_1302_past_the_tenants_creates_per_second()
    {
        var auth = RelayClient.Jwt("kling-co", KlingKey);
        for (var i = 0; i < 3; i++)
        {
            var created = await Eventually.Until(() => Client.PostAsync("/v1/images/generations", Image, auth), a => a.Status != 429 || a.Body["code"]!.GetValue<int>() != 1303,
                TimeSpan.FromSeconds(10), "the previous task's place");
            Assert.Equal((200, 0), (created.Status, created.Body["code"]!.GetValue<int>()));
            await Client.KlingUntilEndedAsync($"/v1/images/generations/{created.Body["data"]!["task_id"]}", auth);
        }
        // The rate is checked first: the last task's place need not be given back yet.
        var refused = await Client.PostAsync("/v1/images/generations", Image, auth);
        Assert.Equal((429, 1302), (refused.Status, refused.Body["code"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Chanjing_style_answers_40001_past_the_tenants_quota_and_another_tenant_is_not_held_back()
    {
        var token = (await Client.PostAsync("/open/v1/access_token", new { app_id = "chan-co", secret_key = ChanjingKey }, authorization: null)).Body["data"]!["access_token"]!.GetValue<string>();
        var body = new { creation_type = 3, model_code = "kling-v2-1", ref_prompt = "a kangaroo" };
        var first = await Client.PostAsync("/open/v1/ai_creation/task/submit", body, null, token);
        Assert.Equal(0, first.Body["code"]!.GetValue<int>());
        var refused = await Client.PostAsync("/open/v1/ai_creation/task/submit", body, null, token);
        Assert.Equal((200, 40001), (refused.Status, refused.Body["code"]!.GetValue<int>()));
        Assert.NotNull(refused.Body["trace_id"]);

        var other = await Client.PostAsync("/kling/v1/images/generations", Image, "Bearer " + Keys.Admin);
        Assert.Equal((200, 0), (other.Status, other.Body["code"]!.GetValue<int>()));
    }
}
