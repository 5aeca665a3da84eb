using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

/// <summary>What a caller who gets a request slightly wrong is told, over real HTTP; nothing is persisted for a refused request.</summary>
public sealed class TaskValidationApiTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.4 })
{
    // The simulator account learns one model beyond the documented ones, as an operator would add a new model without a release.
    protected override string[] ServerArgs => ["--Orchestrator:Providers:simulator:ExtraModels:text-to-video:0=kling-v9-preview"];

    private Task<HttpResponseMessage> PostAsync(string path, string body, string? contentType = "application/json")
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = contentType is null ? null : System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        return Server.Http.PostAsync(path, content);
    }

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!;
    }

    private static string ErrorOf(JsonNode problem, string field) =>
        (string?)problem["errors"]?[field]?[0] ?? throw new Xunit.Sdk.XunitException($"no error for '{field}' in {problem.ToJsonString()}");

    private async Task AssertNothingPersistedAsync() =>
        Assert.Empty((await Server.Http.GetFromJsonAsync<JsonObject>("/v1/tasks"))!["items"]!.AsArray());

    private const string Video = """{"provider":"simulator","kind":"text-to-video","prompt":"waves","model":""";

    [Fact]
    public async Task A_model_the_provider_does_not_offer_for_the_kind_is_a_400_naming_the_known_models()
    {
        var problem = await ProblemAsync(await PostAsync("/v1/tasks", Video + "\"dall-e-3\"}"));
        var message = ErrorOf(problem, "model");
        Assert.Contains("dall-e-3", message);
        Assert.Contains("kling-v1-6", message);
        Assert.Contains("ExtraModels", message);
        // kling-v1-5 makes images here, not text-to-video.
        Assert.Contains("kling-v1-6", ErrorOf(await ProblemAsync(await PostAsync("/v1/tasks", Video + "\"kling-v1-5\"}")), "model"));
        await AssertNothingPersistedAsync();
    }

    [Fact]
    public async Task A_model_added_to_the_account_in_configuration_is_accepted_and_listed()
    {
        var accepted = await PostAsync("/v1/tasks", Video + "\"kling-v9-preview\"}");
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var providers = (await Server.Http.GetFromJsonAsync<JsonObject>("/v1/providers"))!;
        var sim = providers["accounts"]!.AsArray().Single(a => (string)a!["account"]! == "simulator")!;
        var videoModels = sim["models"]!["text-to-video"]!.AsArray().Select(m => (string)m!).ToList();
        Assert.Contains("kling-v1-6", videoModels);
        Assert.Contains("kling-v9-preview", videoModels);
        Assert.DoesNotContain("kling-v9-preview", sim["models"]!["text-to-image"]!.AsArray().Select(m => (string)m!));
    }

    [Fact]
    public async Task An_image_url_longer_than_a_webhook_url_may_be_is_a_400_naming_it_and_nothing_is_persisted()
    {
        var url = "https://images.example.com/" + new string('a', 2001);
        var problem = await ProblemAsync(await PostAsync("/v1/tasks",
            Video + "\"kling-v1-6\",\"imageUrl\":" + "\"" + url + "\"}"));
        Assert.StartsWith("At most 2000 characters", ErrorOf(problem, "imageUrl"));
        await AssertNothingPersistedAsync();
    }

    [Theory]
    [InlineData("\"count\":\"2\"", "count", "integer")]
    [InlineData("\"count\":2.5", "count", "integer")]
    [InlineData("\"prompt\":5", "prompt", "string")]
    [InlineData("\"metadata\":{\"tenant\":7}", "metadata.tenant", "string")]
    [InlineData("\"metadata\":[\"tenant\"]", "metadata", "object")]
    public async Task A_wrong_json_type_is_a_400_naming_the_field_and_the_expected_type(string member, string field, string expected)
    {
        var body = JsonNode.Parse("""{"provider":"simulator","kind":"text-to-image","model":"kling-v1-5","prompt":"p"}""")!.AsObject();
        foreach (var (key, value) in JsonNode.Parse("{" + member + "}")!.AsObject().ToList()) body[key] = value?.DeepClone();
        var problem = await ProblemAsync(await PostAsync("/v1/tasks", body.ToJsonString()));
        Assert.Contains(expected, ErrorOf(problem, field));
        await AssertNothingPersistedAsync();
    }

    [Theory]
    [InlineData("\"durationSeconds\":\"5\"", "durationSeconds", "integer")]
    [InlineData("\"cfgScale\":\"0.5\"", "cfgScale", "number")]
    [InlineData("\"cameraControl\":\"simple\"", "cameraControl", "object")]
    [InlineData("\"cameraControl\":{\"type\":\"simple\",\"config\":{\"zoom\":\"2\"}}", "cameraControl.config.zoom", "number")]
    public async Task A_wrong_json_type_in_a_video_field_names_it_too(string member, string field, string expected)
    {
        var problem = await ProblemAsync(await PostAsync("/v1/tasks", Video + "\"kling-v1-6\"," + member + "}"));
        Assert.Contains(expected, ErrorOf(problem, field));
    }

    [Fact]
    public async Task Every_wrong_field_is_named_at_once()
    {
        var problem = await ProblemAsync(await PostAsync("/v1/tasks",
            """{"provider":"simulator","kind":"text-to-image","model":"kling-v1-5","prompt":"p","count":"2","aspect_ratio":"1:1","negative_prompt":"blur"}"""));
        Assert.Equal(["aspect_ratio", "count", "negative_prompt"], problem["errors"]!.AsObject().Select(kv => kv.Key).Order());
    }

    [Theory]
    [InlineData("[{\"provider\":\"simulator\"}]")]
    [InlineData("\"a prompt\"")]
    [InlineData("42")]
    public async Task A_body_that_is_not_a_json_object_is_told_to_be_one_and_arrays_are_sent_to_batches(string body)
    {
        var message = ErrorOf(await ProblemAsync(await PostAsync("/v1/tasks", body)), "body");
        Assert.Contains("JSON object", message);
        Assert.Contains("/v1/batches", message);
        Assert.DoesNotContain("not valid JSON", message);
    }

    [Theory]
    [InlineData("aspect_ratio", "\"16:9\"", "aspectRatio")]
    [InlineData("negative_prompt", "\"blur\"", "negativePrompt")]
    [InlineData("image_url", "\"https://img.test/a.png\"", "imageUrl")]
    [InlineData("duration", "5", "durationSeconds")]
    [InlineData("Prompt", "\"p\"", "prompt")]
    public async Task A_field_spelled_another_way_suggests_the_name_the_api_uses(string sent, string value, string meant)
    {
        var message = ErrorOf(await ProblemAsync(await PostAsync("/v1/tasks", Video + $"\"kling-v1-6\",\"{sent}\":{value}}}")), sent);
        Assert.Contains($"did you mean '{meant}'", message);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task A_task_body_that_is_not_declared_json_is_415_naming_the_expected_type(string? contentType)
    {
        var problem = await ProblemAsync(await PostAsync("/v1/tasks", Video + "\"kling-v1-6\"}", contentType), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/json", (string)problem["detail"]!);
        await AssertNothingPersistedAsync();
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/vnd.orchestrator.task+json")]
    public async Task Json_content_types_with_a_charset_or_a_json_suffix_are_accepted(string contentType)
    {
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync("/v1/tasks", Video + "\"kling-v1-6\"}", contentType)).StatusCode);
    }

    [Fact]
    public async Task A_batch_body_that_is_neither_json_nor_json_lines_is_415_too()
    {
        var problem = await ProblemAsync(await PostAsync("/v1/batches", Video + "\"kling-v1-6\"}", "text/plain"), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/x-ndjson", (string)problem["detail"]!);
    }

    [Fact]
    public async Task Batch_lines_get_the_same_model_type_and_spelling_checks()
    {
        var lines = string.Join("\n",
            Video + "\"dall-e-3\"}",
            Video + "\"kling-v1-6\",\"aspect_ratio\":\"16:9\"}",
            Video + "\"kling-v1-6\",\"durationSeconds\":\"5\"}");
        var response = await PostAsync("/v1/batches?atomic=true", lines, "application/x-ndjson");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var rejected = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rejected").EnumerateArray()
            .ToDictionary(r => r.GetProperty("line").GetInt32(), r => r.GetProperty("errors")[0]);
        Assert.Equal("model", rejected[1].GetProperty("field").GetString());
        Assert.Contains("kling-v1-6", rejected[1].GetProperty("message").GetString());
        Assert.Equal("aspect_ratio", rejected[2].GetProperty("field").GetString());
        Assert.Contains("did you mean 'aspectRatio'", rejected[2].GetProperty("message").GetString());
        Assert.Equal("durationSeconds", rejected[3].GetProperty("field").GetString());
        Assert.Contains("integer", rejected[3].GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("after=garbage", "after")]
    [InlineData("after=0123456789abcdef0123456789abcdef", "after")]
    [InlineData("limit=ten", "limit")]
    [InlineData("status=finished", "status")]
    public async Task A_bad_list_parameter_is_a_400_naming_it(string query, string parameter)
    {
        await Server.SubmitForIdAsync(Requests.Image());
        var problem = await ProblemAsync(await Server.Http.GetAsync("/v1/tasks?" + query));
        Assert.NotNull(problem["errors"]![parameter]);
    }

    [Fact]
    public async Task A_next_after_token_from_a_page_is_accepted()
    {
        var first = await Server.SubmitForIdAsync(Requests.Image("one"));
        await Server.SubmitForIdAsync(Requests.Image("two"));
        var page = (await Server.Http.GetFromJsonAsync<JsonObject>("/v1/tasks?limit=1"))!;
        var next = (await Server.Http.GetFromJsonAsync<JsonObject>($"/v1/tasks?limit=1&after={(string)page["nextAfter"]!}"))!;
        Assert.Equal(first, (string)next["items"]![0]!["id"]!);
    }
}
