using System.Net;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Orchestrator.Simulator;
using Orchestrator.Tests.Security;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Telemetry;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c> is valid, describes every route the server maps (all HTTP methods),
/// gives each request body an example and each problem answer an example; it and the reference page at
/// <c>/reference</c> are public on a server with keys, while the API they describe still needs a key.
/// </summary>
public sealed class ApiDocumentTests : ServerTest
{
    private const string AdminKey = "openapi-admin-key-4f8a2c";

    public ApiDocumentTests() : base(new SimulatorOptions()) { }

    protected override string[] ServerArgs => ["--Orchestrator:Telemetry:Exporters:0=prometheus", .. Keys.Key(0, "ops", AdminKey, null, "admin")];

    // Serving the document and its viewer: not part of the API the document describes.
    private static readonly string[] DocumentRoutes = ["/openapi/{documentName}.json", "/reference/{documentName?}", "/reference"];

    // The drop-in relay speaks the providers' own APIs, in their envelopes and codes (docs/relay.md): left out on purpose.
    private static readonly string[] RelayPrefixes = ["/kling/v1/", "/v1/images/", "/v1/videos/", "/open/v1/", "/relay/"];

    private static bool IsRelay(string path) => RelayPrefixes.Any(p => path.StartsWith(p, StringComparison.Ordinal));

    [Fact]
    public async Task The_document_is_valid_and_describes_every_mapped_route()
    {
        var document = await ReadDocumentAsync();
        var mapped = Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !DocumentRoutes.Contains(Normalize(e.RoutePattern.RawText)) && !Normalize(e.RoutePattern.RawText).StartsWith("/reference/", StringComparison.Ordinal)
                && !IsRelay(Normalize(e.RoutePattern.RawText)))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Path: Normalize(e.RoutePattern.RawText))))
            .Distinct().ToList();
        Assert.Contains(mapped, r => r.Path == "/metrics");
        Assert.True(mapped.Count >= 25, $"only {mapped.Count} routes found: {string.Join(", ", mapped)}");
        var missing = mapped.Where(r => document.Paths.TryGetValue(r.Path, out var item) is false
            || item.Operations?.ContainsKey(new HttpMethod(r.Method)) is not true).ToList();
        Assert.True(missing.Count == 0, "Not in the document: " + string.Join(", ", missing.Select(r => $"{r.Method} {r.Path}")));
    }

    [Fact]
    public async Task Every_request_body_and_every_problem_answer_has_an_example()
    {
        var document = await ReadDocumentAsync();
        var lacking = new List<string>();
        var bodies = 0;
        var problems = 0;
        foreach (var (path, item) in document.Paths)
            foreach (var (method, operation) in item.Operations ?? [])
            {
                foreach (var (type, media) in operation.RequestBody?.Content ?? new Dictionary<string, OpenApiMediaType>())
                {
                    bodies++;
                    if (media.Example is null) lacking.Add($"{method} {path} request body {type}");
                }
                foreach (var (status, response) in operation.Responses ?? [])
                {
                    if (!status.StartsWith('4') && !status.StartsWith('5')) continue;
                    // The probes' 503 is their own status object, described by its schema.
                    if (path is "/healthz" or "/readyz") continue;
                    problems++;
                    if (response.Content?.TryGetValue("application/problem+json", out var problem) is not true || problem.Example is null)
                        lacking.Add($"{method} {path} {status}");
                }
            }
        Assert.True(lacking.Count == 0, "No example: " + string.Join(", ", lacking));
        Assert.True(bodies >= 5, $"{bodies} request bodies described");
        // Each keyed operation answers 401 and 403; the task submit its validation, conflict, size, media type and queue answers.
        Assert.True(problems >= 60, $"{problems} problem answers described");
        var submit = document.Paths["/v1/tasks"].Operations![HttpMethod.Post];
        Assert.Equal(["202", "400", "401", "403", "409", "413", "415", "429", "503"], submit.Responses!.Keys.Where(k => k != "200").Order());
        Assert.Contains("errors", submit.Responses["400"].Content!["application/problem+json"].Example!.ToJsonString());
    }

    [Fact]
    public async Task The_document_and_the_reference_page_need_no_key_but_the_api_they_describe_does()
    {
        using var anonymous = new HttpClient { BaseAddress = Server.Http.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
        var page = await anonymous.GetAsync("/reference/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/tasks")).StatusCode);
        var document = await ReadDocumentAsync();
        Assert.Contains("bearer", document.Components!.SecuritySchemes!.Keys);
    }

    private async Task<OpenApiDocument> ReadDocumentAsync()
    {
        using var anonymous = new HttpClient { BaseAddress = Server.Http.BaseAddress };
        var json = await anonymous.GetStringAsync("/openapi/v1.json");
        var read = OpenApiDocument.Parse(json, "json", new OpenApiReaderSettings());
        Assert.True(read.Diagnostic is null || read.Diagnostic.Errors.Count == 0,
            "The document is not valid OpenAPI: " + string.Join("; ", read.Diagnostic?.Errors.Select(e => $"{e.Pointer}: {e.Message}") ?? []));
        Assert.NotNull(read.Document);
        var validation = read.Document.Validate(ValidationRuleSet.GetDefaultRuleSet()) ?? [];
        Assert.True(!validation.Any(), "Validation: " + string.Join("; ", validation.Select(e => $"{e.Pointer}: {e.Message}")));
        return read.Document;
    }

    /// <summary><c>/v1/tasks/{id:int}/</c> → <c>/v1/tasks/{id}</c>: the document's form of a route.</summary>
    private static string Normalize(string? raw)
    {
        var path = "/" + (raw ?? "").Trim('/');
        return System.Text.RegularExpressions.Regex.Replace(path, @"\{(\*{0,2})([A-Za-z0-9_]+)(:[^}?]*)?(\?)?\}", m => $"{{{m.Groups[2].Value}{m.Groups[4].Value}}}");
    }
}
