using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchestrator.Hosting;
using Orchestrator.Persistence;

namespace Orchestrator.Tests.Support;

/// <summary>
/// An actor system with the orchestrator's journal (its plugin ids, tags and serializer) registered by the extension the
/// host calls, and no actors of the orchestrator's: for a test kit that drives one persistent actor among probes.
/// </summary>
public sealed class JournalOnlyHost : IDisposable
{
    private readonly IHost _host;

    public JournalOnlyHost(string connectionString) : this(new StorageOptions { ConnectionString = connectionString }) { }

    /// <param name="storage">The journal: a test store's <see cref="TestStore.Storage"/>, say.</param>
    public JournalOnlyHost(StorageOptions storage)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka("journal-only", (akka, _) => akka
            .ConfigureLoggers(logging =>
            {
                logging.LogLevel = Akka.Event.LogLevel.WarningLevel;
                logging.AddLogger<Akka.TestKit.TestEventListener>(); // for EventFilter
            })
            .WithOrchestratorPersistence(storage));
        _host = builder.Build();
        // Synchronous: a test kit takes its system in its constructor.
        _host.Start();
        System = _host.Services.GetRequiredService<ActorSystem>();
    }

    public ActorSystem System { get; }

    public void Dispose()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
    }
}
