using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Orchestrator.Server.Security;
using Orchestrator.Server.Telemetry;
using Scalar.AspNetCore;

namespace Orchestrator.Server.Api;

/// <summary>
/// The OpenAPI document of the whole HTTP API at <see cref="DocumentPath"/> (Microsoft.AspNetCore.OpenApi) and its
/// interactive reference at <see cref="ReferencePath"/> (Scalar). Both are public, as an API description usually is;
/// the calls the reference page sends still need a key (it asks for one). Every problem answer an endpoint gives is
/// described with an example (<see cref="ProblemExamples"/>), and every request body has one (<see cref="RequestExamples"/>).
/// </summary>
public static class ApiDocument
{
    /// <summary>Where the OpenAPI document is served.</summary>
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>Where the interactive API reference is served.</summary>
    public const string ReferencePath = "/reference";

    private const string BearerScheme = "bearer";

    /// <summary>Registers the document's generator and its transformers.</summary>
    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi("v1", o =>
        {
            o.AddDocumentTransformer(Describe);
            o.AddOperationTransformer(AddProblemAnswers);
            o.AddOperationTransformer((operation, context, _) =>
            {
                RequestExamples.AddTo(operation, context.Description.HttpMethod, context.Description.RelativePath);
                return Task.CompletedTask;
            });
        });

    /// <summary>Maps the document and the reference page, both answering without a key.</summary>
    public static void MapApiDocument(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowWithoutApiKey();
        app.MapScalarApiReference(ReferencePath, o => o
                .WithTitle("Orchestrator API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .AddPreferredSecuritySchemes(BearerScheme))
            .AllowWithoutApiKey();
    }

    /// <summary>The problem statuses this endpoint answers besides those every keyed endpoint has (401, 403, 503).</summary>
    public static TBuilder WithProblems<TBuilder>(this TBuilder endpoint, params int[] statuses) where TBuilder : IEndpointConventionBuilder =>
        endpoint.WithMetadata(new ProblemAnswers(statuses));

    private sealed record ProblemAnswers(int[] Statuses);

    private static Task Describe(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Orchestrator API",
            Version = "v1",
            Description = "Submit, watch and cancel AI generation tasks (text-to-image, text-to-video, image-to-video) across provider "
                + "accounts. Send an API key as `Authorization: Bearer <key>` (a server without keys listens on loopback only). "
                + "Every error is an RFC 7807 problem; a 400 names each rejected field in `errors`.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key from Orchestrator:ApiKeys, with the role the operation needs (read, submit or admin).",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
        if (context.ApplicationServices.GetService<TelemetryOptions>() is { } telemetry && telemetry.Uses("prometheus"))
            document.Paths[telemetry.MetricsPath] = ScrapeEndpoint();
        return Task.CompletedTask;
    }

    /// <summary>The Prometheus exporter's endpoint is middleware, not a route handler: described here by hand.</summary>
    private static OpenApiPathItem ScrapeEndpoint() => new()
    {
        Operations = new Dictionary<HttpMethod, OpenApiOperation>
        {
            [HttpMethod.Get] = new()
            {
                Summary = "Metrics in the Prometheus text format (with the prometheus exporter on; needs a read key)",
                Tags = new HashSet<OpenApiTagReference> { new("Telemetry") },
                Responses = new OpenApiResponses
                {
                    ["200"] = new OpenApiResponse
                    {
                        Description = "The orchestrator's, ASP.NET Core's and HttpClient's metrics",
                        Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
                    },
                    ["401"] = ProblemExamples.Response(401, null),
                    ["403"] = ProblemExamples.Response(403, null),
                },
            },
        },
    };

    private static async Task AddProblemAnswers(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var open = ApiKeyAuthentication.IsOpen(metadata);
        var statuses = new SortedSet<int>(metadata.OfType<ProblemAnswers>().SelectMany(p => p.Statuses));
        if (!open) statuses.UnionWith([401, 403]);
        // Every route but the probes refuses with a 503 problem while the node shuts down (GracefulShutdown) or is overloaded.
        if (!GracefulShutdown.IsProbe(context.Description.RelativePath)) statuses.Add(503);
        operation.Responses ??= new OpenApiResponses();
        var problem = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, ct);
        var validation = await context.GetOrCreateSchemaAsync(typeof(HttpValidationProblemDetails), null, ct);
        foreach (var status in statuses)
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = ProblemExamples.Response(status, status == 400 ? validation : problem);
        if (open) operation.Security = [];
    }
}
