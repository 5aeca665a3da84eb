using Orchestrator.Simulator;
using Orchestrator.Tests.Security;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Relay;

/// <summary>
/// With API keys configured, a relay client's provider-style credential is one of our keys, and so a tenant: DMXAPI's
/// bearer key, Kling's JWT (<c>iss</c> = the key's name, signed with the key), Chanjing's token for <c>app_id</c> = name
/// and <c>secret_key</c> = key. Wrong credentials get the provider's auth codes; tenants never see each other's tasks.
/// </summary>
public sealed class RelayCredentialTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.5 })
{
    protected override string[] ServerArgs => Keys.ServerArgs;

    private RelayClient Client => new(Server);
    private static readonly object Image = new { model_name = "kling-v1-5", prompt = "a kangaroo" };

    [Fact]
    public async Task DMXAPI_style_takes_our_API_key_as_its_bearer_key_and_answers_1000_for_any_other()
    {
        foreach (var authorization in new[] { "Bearer sk-not-ours-0123456789", "Bearer " + Keys.AcmeSubmit[..^1], "", RelayClient.Jwt("acme-app", Keys.AcmeSubmit) })
        {
            var refused = await Client.PostAsync("/kling/v1/images/generations", Image, authorization);
            Assert.Equal((401, 1000), (refused.Status, refused.Body["code"]!.GetValue<int>()));
            Assert.DoesNotContain(Keys.AcmeSubmit[..10], refused.Body.ToJsonString());
        }
        var created = await Client.PostAsync("/kling/v1/images/generations", Image, "Bearer " + Keys.AcmeSubmit);
        var id = created.Body["data"]!["task_id"]!.GetValue<string>();
        Assert.Equal("acme", (await Server.Orchestrator.GetAsync(id))!.Metadata!["tenant"]);
        // Another tenant's task does not exist for this key.
        var other = await Client.GetAsync($"/kling/v1/images/generations/{id}", "Bearer " + Keys.GlobexSubmit);
        Assert.Equal((404, 1203), (other.Status, other.Body["code"]!.GetValue<int>()));
        // A read key queries; it may not create (Kling's 1103, no permission).
        Assert.Equal(0, (await Client.GetAsync($"/kling/v1/images/generations/{id}", "Bearer " + Keys.AcmeRead)).Body["code"]!.GetValue<int>());
        var readOnly = await Client.PostAsync("/kling/v1/images/generations", Image, "Bearer " + Keys.AcmeRead);
        Assert.Equal((403, 1103), (readOnly.Status, readOnly.Body["code"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Kling_style_checks_the_JWT_against_the_key_its_issuer_names_with_Kling_codes()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (authorization, code) in new[]
                 {
                     ("", 1001),
                     ("Bearer not.a-jwt", 1002),
                     (RelayClient.Jwt("acme-app", "the-wrong-secret-0123456789"), 1000),
                     (RelayClient.Jwt("nobody", Keys.AcmeSubmit), 1000),
                     (RelayClient.Jwt("acme-app", Keys.AcmeSubmit, now.AddHours(-2)), 1004),
                     (RelayClient.Jwt("acme-app", Keys.AcmeSubmit, now.AddHours(1)), 1003),
                     ("Bearer " + Keys.AcmeSubmit, 1002),
                 })
        {
            var refused = await Client.PostAsync("/v1/images/generations", Image, authorization);
            Assert.True((401, code) == (refused.Status, refused.Body["code"]!.GetValue<int>()), $"{code}: {refused.Body.ToJsonString()}");
        }
        var created = await Client.PostAsync("/v1/images/generations", Image, RelayClient.Jwt("globex-app", Keys.GlobexSubmit));
        Assert.Equal(0, created.Body["code"]!.GetValue<int>());
        var id = created.Body["data"]!["task_id"]!.GetValue<string>();
        Assert.Equal("globex", (await Server.Orchestrator.GetAsync(id))!.Metadata!["tenant"]);
    }

    [Fact]
    public async Task An_external_task_id_is_kept_per_tenant_and_answers_queries_only_there()
    {
        var acme = "Bearer " + Keys.AcmeSubmit;
        var globex = RelayClient.Jwt("globex-app", Keys.GlobexSubmit);
        var video = new { model_name = "kling-v1", prompt = "same id, two tenants", external_task_id = "order-42" };
        var a = (await Client.PostAsync("/kling/v1/videos/text2video", video, acme)).Body["data"]!["task_id"]!.GetValue<string>();
        var g = (await Client.PostAsync("/v1/videos/text2video", video, globex)).Body["data"]!["task_id"]!.GetValue<string>();
        Assert.NotEqual(a, g);
        Assert.Equal(a, (await Client.GetAsync("/kling/v1/videos/text2video/order-42", acme)).Body["data"]!["task_id"]!.GetValue<string>());
        Assert.Equal(g, (await Client.GetAsync("/v1/videos/text2video?external_task_id=order-42", globex)).Body["data"]!["task_id"]!.GetValue<string>());
        // The same id for another request of the same tenant is refused, as Kling refuses it.
        var reused = await Client.PostAsync("/kling/v1/videos/text2video", video with { prompt = "another request" }, acme);
        Assert.Equal((400, 1201, "external_task_id already exists"), (reused.Status, reused.Body["code"]!.GetValue<int>(), reused.Body["message"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Chanjing_style_issues_a_token_for_a_keys_name_and_secret_and_a_new_token_invalidates_the_old()
    {
        var wrong = await Client.PostAsync("/open/v1/access_token", new { app_id = "acme-app", secret_key = Keys.GlobexSubmit }, authorization: null);
        Assert.Equal((200, 40000), (wrong.Status, wrong.Body["code"]!.GetValue<int>()));
        var first = await Token("acme-app", Keys.AcmeSubmit);
        var second = await Token("acme-app", Keys.AcmeSubmit);
        var body = new { creation_type = 3, model_code = "kling-v2-1", ref_prompt = "a poster" };
        var stale = await Client.PostAsync("/open/v1/ai_creation/task/submit", body, null, first);
        Assert.Equal((200, 10400), (stale.Status, stale.Body["code"]!.GetValue<int>()));
        Assert.Equal(10400, (await Client.PostAsync("/open/v1/ai_creation/task/submit", body, null, "made-up-token")).Body["code"]!.GetValue<int>());

        var submitted = await Client.PostAsync("/open/v1/ai_creation/task/submit", body, null, second);
        var id = submitted.Body["data"]!.GetValue<string>();
        Assert.Equal("acme", (await Server.Orchestrator.GetAsync(id))!.Metadata!["tenant"]);
        var globexToken = await Token("globex-app", Keys.GlobexSubmit);
        Assert.Equal(40000, (await Client.GetAsync($"/open/v1/ai_creation/task?unique_id={id}", null, globexToken)).Body["code"]!.GetValue<int>());
        // Tokens of different keys live side by side.
        Assert.Equal(0, (await Client.GetAsync($"/open/v1/ai_creation/task?unique_id={id}", null, second)).Body["code"]!.GetValue<int>());
    }

    private async Task<string> Token(string appId, string secret) =>
        (await Client.PostAsync("/open/v1/access_token", new { app_id = appId, secret_key = secret }, authorization: null)).Body["data"]!["access_token"]!.GetValue<string>();
}
