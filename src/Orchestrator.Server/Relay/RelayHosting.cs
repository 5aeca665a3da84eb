using Orchestrator.Server.Security;
using Orchestrator.Webhooks;

namespace Orchestrator.Server.Relay;

/// <summary>Wires the drop-in relay into the server: its options, credentials, tokens and routes (docs/relay.md).</summary>
public static class RelayHosting
{
    /// <summary>Reads <c>Orchestrator:Relay</c>; refuses to start on a wrong setting.</summary>
    /// <exception cref="StartupRefusedException">A relay setting is invalid.</exception>
    public static RelayOptions ReadOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection(RelayOptions.SectionName).Get<RelayOptions>() ?? new RelayOptions();
        var problems = options.Problems().ToList();
        if (problems.Count > 0) throw new StartupRefusedException($"Refusing to start: {string.Join(" ", problems)}");
        return options;
    }

    /// <summary>The relay's services; its callbacks take the provider's shape (<see cref="ITaskWebhookBody"/>).</summary>
    public static IServiceCollection AddRelay(this IServiceCollection services, RelayOptions options, IConfiguration configuration)
    {
        services.AddSingleton(options);
        services.AddSingleton(sp => new RelayCallers(sp.GetRequiredService<ApiKeyRing>(),
            configuration.GetSection(ApiKeyRing.SectionName).Get<List<ApiKeyOptions>>() ?? []));
        services.AddSingleton(sp => new ChanjingRelayTokens(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new RelayQuota(options.Quota, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<RelayTasks>();
        services.AddSingleton<RelayResultLinks>();
        services.AddSingleton<ITaskWebhookBody, RelayCallbackBodies>();
        return services;
    }

    /// <summary>Maps the DMXAPI, Kling and Chanjing routes and the relay's result links, unless the relay is switched off.</summary>
    public static IEndpointRouteBuilder MapRelay(this IEndpointRouteBuilder app, RelayOptions options)
    {
        if (!options.Enabled) return app;
        // The providers' own APIs, described by their documents and docs/relay.md: not part of this API's OpenAPI document,
        // whose answers are ours (problem+json), where these answer in each provider's envelope and codes.
        var relay = app.MapGroup("").ExcludeFromDescription();
        KlingRelayEndpoints.Map(relay, options);
        ChanjingRelayEndpoints.Map(relay, options);
        RelayResultLinks.Map(relay);
        return app;
    }
}
