using Orchestrator.Polling;
using Orchestrator.Providers;
using Orchestrator.Tasks;
using Orchestrator.Tasks.Lifecycle;

namespace Orchestrator.Tests.Tasks.Lifecycle;

/// <summary>A task's world held still: a clock the test moves, no jitter, a fixed plan and account.</summary>
internal sealed class FixedEnvironment : ITaskEnvironment
{
    public static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public DateTimeOffset Now { get; set; } = Start;
    public ProviderCapabilities? Account { get; set; } = new(TakesExternalId: true);
    public int Slots { get; set; }
    public bool StoresResults { get; set; }
    public TimeSpan SleepAfter { get; set; } = TimeSpan.MaxValue;

    public double NextRandom() => 0.5;
    public ProviderCapabilities? Capabilities(string account) => Account;
    public int SlotCost(GenerationRequest request) => Slots;
    public PollPlan Plan(GenerationRequest request) => new(10, 1.5, 1, 60);
    public double PlanScale => 1;
    public TimeSpan Deadline(GenerationRequest request) => TimeSpan.FromMinutes(15);
    public string StoredUrl(int index) => $"/v1/tasks/t1/results/{index}";

    public TaskLimits Limits => new(MaxSubmitAttempts: 6, MaxConsecutiveFailures: 20, MaxNotFoundAnswers: 5, SubmitRetryBaseSeconds: 1,
        QuietInterval: TimeSpan.FromSeconds(60), QuietWatch: TimeSpan.FromHours(1), PassivateAfter: TimeSpan.FromSeconds(30),
        BatchSlot: TimeSpan.FromSeconds(0.5), StoresResults) { SleepAfter = SleepAfter };
}
