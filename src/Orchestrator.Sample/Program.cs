using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Hosting;
using Orchestrator.Sample;
using Orchestrator.Simulator;

// dotnet run --project src/Orchestrator.Sample
// Embeds the orchestrator in a plain .NET host: SQLite journal under data/, the built-in simulator on loopback.

await using var simulator = SimulatorProgram.Build(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"],
    new SimulatorOptions { ImageMinSeconds = 2, ImageMaxSeconds = 5 });
await simulator.StartAsync();

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddOrchestrator(SampleFlow.Options(simulator.Urls.First(), "Data Source=data/sample.db"));
using var host = builder.Build();
await host.StartAsync();

var orchestrator = host.Services.GetRequiredService<IOrchestrator>();
var ended = await SampleFlow.RunAsync(orchestrator, Console.Out, tasks: 5, CancellationToken.None);
await host.StopAsync();
await simulator.StopAsync();
return ended.All(v => v.Status == Orchestrator.Tasks.TaskLifecycle.Succeeded) ? 0 : 1;
