using System.Linq.Expressions;
using LogContext = Serilog.Context.LogContext;

namespace Orchestrator.ServiceDefaults;

/// <summary>Puts the message's <c>TaskId</c> on every log line written while it is consumed.</summary>
public sealed class TaskLogScopeFilter<T> : IFilter<ConsumeContext<T>>
    where T : class
{
    static readonly Func<T, Guid>? TaskIdOf = CompileTaskIdAccessor();

    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        if (TaskIdOf is null)
        {
            await next.Send(context);
            return;
        }

        using (LogContext.PushProperty("TaskId", TaskIdOf(context.Message)))
            await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("taskLogScope");

    static Func<T, Guid>? CompileTaskIdAccessor()
    {
        var property = typeof(T).GetProperty("TaskId");
        if (property?.PropertyType != typeof(Guid))
            return null;

        var message = Expression.Parameter(typeof(T));
        return Expression.Lambda<Func<T, Guid>>(Expression.Property(message, property), message).Compile();
    }
}
