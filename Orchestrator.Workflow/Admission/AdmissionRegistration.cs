namespace Orchestrator.Workflow.Admission;

public static class AdmissionRegistration
{
    /// <summary>
    /// Admission, in the hosts that run the workflow: recorded tasks start owners in turn, oldest first within an owner, at most
    /// <c>Workflow:MaxConcurrentTasks</c> at once (<see cref="TaskAdmission"/>); with the backlog count.
    /// </summary>
    public static IHostApplicationBuilder AddTaskAdmission(this IHostApplicationBuilder builder)
    {
        builder.AddTaskBacklog();
        builder.Services.AddSingleton<TaskAdmission>();
        builder.Services.AddHostedService<AdmissionService>();
        builder.Services.AddSingleton<ITaskEndObserver>(services => services.GetRequiredService<AdmissionSignal>());
        return builder;
    }

    /// <summary>
    /// What every host that records tasks needs: the settings, the in-process <see cref="AdmissionSignal"/>, the
    /// backlog count that refuses submissions beyond <c>Workflow:MaxQueuedTasks</c>, and the per-owner limits
    /// (<see cref="SubmissionLimits"/>).
    /// </summary>
    public static IHostApplicationBuilder AddTaskBacklog(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(service => service.ServiceType == typeof(TaskBacklog)))
            return builder;

        builder.Services.AddOptions<AdmissionOptions>()
            .BindConfiguration(AdmissionOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<SubmissionLimits>();
        builder.Services.AddSingleton<AdmissionSignal>();
        builder.Services.AddSingleton<TaskBacklog>();
        builder.Services.AddHostedService<TaskBacklogMonitor>();
        return builder;
    }
}
