using System.Globalization;
using Orchestrator.Tests.Sagas.ResearchTasks;

namespace Orchestrator.Tests.Workflow.Admission;

/// <summary>
/// Recorded tasks start at most <c>Workflow:MaxConcurrentTasks</c> at once, owners in turn, oldest first within an
/// owner (and so oldest first when one owner submits them all).
/// </summary>
public sealed class TaskAdmissionTests
{
    const int Slots = 2;

    [Fact]
    public Task With_two_slots_five_tasks_run_at_most_two_at_a_time_oldest_first_and_all_complete() =>
        // Polling once an hour: every start follows a task recorded or ended in this process, signalled at once.
        RunAsync(new() { ["Workflow:AdmissionPollInterval"] = "01:00:00" }, admitting: true, async harness =>
        {
            var taskIds = new List<Guid>();
            for (var i = 0; i < 5; i++)
            {
                var taskId = await harness.SubmitAsync($"Tesla Inc financial performance {2019 + i}", 30, waitUntilStarted: false);
                await harness.WaitUntilAsync(taskId, _ => true, "recorded");
                taskIds.Add(taskId);
            }

            var tasks = new List<ResearchTaskState>();
            foreach (var taskId in taskIds)
                tasks.Add(await harness.WaitForAsync(taskId, m => m.Completed));

            var runs = tasks.OrderBy(t => t.CreatedAt).ThenBy(t => t.CorrelationId)
                .Select(t => (Start: t.Transitions.Single(x => x.FromState == "Submitted").At, End: t.Transitions.Single(x => x.ToState == "Completed").At))
                .ToList();
            Assert.InRange(MostAtOnce(runs), 1, Slots);
            for (var i = 0; i + Slots < runs.Count; i++)
                Assert.True(runs[i].Start <= runs[i + Slots].Start, $"task {i + Slots} started before task {i}, created earlier");
        });

    [Fact]
    public Task A_round_starts_the_oldest_waiting_tasks_up_to_the_free_slots_and_not_twice() =>
        RunAsync([], admitting: false, async harness =>
        {
            var at = DateTime.UtcNow.AddSeconds(-30);
            var oldestFirst = Enumerable.Range(0, 5)
                .Select(i => ResearchTaskState.Accept(Guid.NewGuid(), $"Tesla Inc {i}", 20, "v", "anonymous", at.AddSeconds(i)))
                .ToList();
            await harness.RecordAsync([.. oldestFirst.AsEnumerable().Reverse()]);

            // The marketplace is down: the two started tasks hold their slots (their discovery deferred) until told to retry.
            harness.Simulators.Behaviour.MarketplaceOutage = true;
            Assert.Equal(Slots, await harness.Admission.AdmitAsync(CancellationToken.None));
            Assert.Equal(0, await harness.Admission.AdmitAsync(CancellationToken.None));
            await harness.WaitUntilDeferredAsync(oldestFirst[0].CorrelationId);
            await harness.WaitUntilDeferredAsync(oldestFirst[1].CorrelationId);
            Assert.Equal(0, await harness.Admission.AdmitAsync(CancellationToken.None));

            harness.Simulators.Behaviour.MarketplaceOutage = false;
            await harness.Bus.Bus.Publish(new DeferredStepDue(oldestFirst[0].CorrelationId));
            await harness.Bus.Bus.Publish(new DeferredStepDue(oldestFirst[1].CorrelationId));
            await harness.WaitForAsync(oldestFirst[0].CorrelationId, m => m.Completed);
            await harness.WaitForAsync(oldestFirst[1].CorrelationId, m => m.Completed);
            Assert.Equal(["Submitted", "Submitted", "Submitted"], await StatesAsync(harness, oldestFirst.Skip(2)));

            Assert.Equal(Slots, await harness.Admission.AdmitAsync(CancellationToken.None));
            await harness.WaitForAsync(oldestFirst[2].CorrelationId, m => m.Completed);
            await harness.WaitForAsync(oldestFirst[3].CorrelationId, m => m.Completed);
            Assert.Equal(["Submitted"], await StatesAsync(harness, oldestFirst.Skip(4)));
        });

    [Fact]
    public Task An_owner_who_queued_one_task_after_another_owners_many_gets_the_next_free_slot() =>
        RunAsync([], admitting: false, async harness =>
        {
            var at = DateTime.UtcNow.AddSeconds(-30);
            var alices = Enumerable.Range(0, 6)
                .Select(i => ResearchTaskState.Accept(Guid.NewGuid(), $"Tesla Inc {i}", 20, "v", "alice", at.AddSeconds(i)))
                .ToList();
            await harness.RecordAsync(alices);

            // The marketplace is down: alice's two started tasks hold both slots (their discovery deferred).
            harness.Simulators.Behaviour.MarketplaceOutage = true;
            Assert.Equal(Slots, await harness.Admission.AdmitAsync(CancellationToken.None));
            await harness.WaitUntilDeferredAsync(alices[0].CorrelationId);
            await harness.WaitUntilDeferredAsync(alices[1].CorrelationId);

            // Bob queues one task, after all of alice's: nothing is free yet.
            var bobs = ResearchTaskState.Accept(Guid.NewGuid(), "Tesla Inc for bob", 20, "v", "bob", at.AddSeconds(10));
            await harness.RecordAsync([bobs]);
            Assert.Equal(0, await harness.Admission.AdmitAsync(CancellationToken.None));

            // One of alice's tasks ends: the slot it frees is bob's, not alice's third (older) task's.
            harness.Simulators.Behaviour.MarketplaceOutage = false;
            await harness.Bus.Bus.Publish(new DeferredStepDue(alices[0].CorrelationId));
            await harness.WaitForAsync(alices[0].CorrelationId, m => m.Completed);
            Assert.InRange(await harness.Admission.AdmitAsync(CancellationToken.None), 1, Slots);
            await harness.WaitForAsync(bobs.CorrelationId, m => m.Completed);
        });

    [Fact]
    public Task A_round_takes_one_task_of_each_owner_before_a_second_of_any_oldest_first_within_an_owner() =>
        RunAsync(new() { ["Workflow:MaxConcurrentTasks"] = "3" }, admitting: false, async harness =>
        {
            var at = DateTime.UtcNow.AddSeconds(-30);
            var alices = Enumerable.Range(0, 4)
                .Select(i => ResearchTaskState.Accept(Guid.NewGuid(), $"Tesla Inc {i}", 20, "v", "alice", at.AddSeconds(i)))
                .ToList();
            var bobs = Enumerable.Range(0, 2)
                .Select(i => ResearchTaskState.Accept(Guid.NewGuid(), $"Tesla Inc for bob {i}", 20, "v", "bob", at.AddSeconds(10 + i)))
                .ToList();
            await harness.RecordAsync([.. alices, .. bobs]);

            harness.Simulators.Behaviour.MarketplaceOutage = true;
            Assert.Equal(3, await harness.Admission.AdmitAsync(CancellationToken.None));

            foreach (var started in new[] { alices[0], bobs[0], alices[1] })
                await harness.WaitUntilDeferredAsync(started.CorrelationId);
            Assert.Equal(["Submitted", "Submitted", "Submitted"], await StatesAsync(harness, [alices[2], alices[3], bobs[1]]));
        });

    [Fact]
    public Task A_task_past_the_workflow_timeout_is_not_started_but_left_to_the_sweep() =>
        RunAsync([], admitting: false, async harness =>
        {
            await harness.RecordAsync([ResearchTaskState.Accept(Guid.NewGuid(), "Tesla Inc", 20, "v", "anonymous", DateTime.UtcNow.AddHours(-1))]);

            Assert.Equal(0, await harness.Admission.AdmitAsync(CancellationToken.None));
        });

    [Fact]
    public Task The_working_states_are_the_machines_states_between_Submitted_and_the_final_ones() =>
        RunAsync([], admitting: false, harness =>
        {
            Assert.Equal(["AwaitingPayment", "Discovering", "Paying", "Reporting", "Retrying"], harness.Admission.WorkingStates.Order());
            return Task.CompletedTask;
        });

    static async Task RunAsync(Dictionary<string, string?> settings, bool admitting, Func<WorkflowHarness, Task> test)
    {
        settings.TryAdd("Workflow:MaxConcurrentTasks", Slots.ToString(CultureInfo.InvariantCulture));
        var harness = new WorkflowHarness(settings, admitting);
        await harness.InitializeAsync();
        try
        {
            await test(harness);
        }
        finally
        {
            await harness.DisposeAsync();
        }
    }

    static async Task<List<string>> StatesAsync(WorkflowHarness harness, IEnumerable<ResearchTaskState> tasks)
    {
        var states = new List<string>();
        foreach (var task in tasks)
            states.Add((await harness.LoadAsync(task.CorrelationId))!.CurrentState);
        return states;
    }

    /// <summary>The most runs in progress at one instant; a run that ends when another starts does not overlap it.</summary>
    static int MostAtOnce(IEnumerable<(DateTime Start, DateTime End)> runs) =>
        runs.SelectMany(r => new[] { (At: r.Start, Step: 1), (At: r.End, Step: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Step)
            .Aggregate((Now: 0, Most: 0), (count, e) => (count.Now + e.Step, Math.Max(count.Most, count.Now + e.Step)))
            .Most;
}
