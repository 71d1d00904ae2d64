using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Orchestrator.Api.Tasks;
using Orchestrator.Worker.Admission;

namespace Orchestrator.Api.Security;

/// <summary>
/// Who may call the Api and how often: JWT bearer tokens under <c>Auth:Mode=Jwt</c> (every route but health
/// needs one), the refusal to serve anonymous callers beyond loopback unless asked to, and the rate limit on
/// new tasks.
/// </summary>
public static class ApiSecurityRegistration
{
    public const string SubmitPolicy = "submit";

    public static IHostApplicationBuilder AddApiSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new();

        if (auth.Mode == AuthMode.Jwt)
        {
            builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
            builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
                .Configure<IOptions<AuthOptions>>((jwt, options) => ConfigureJwt(jwt, options.Value));
            builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, BusOwnerTokens.RefuseBusOwners);
            builder.Services.AddAuthorizationBuilder()
                .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        }
        else
        {
            builder.Services.AddAuthorization();
            builder.Services.AddHostedService<AnonymousAccessGuard>();
        }

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.OnRejected = (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                return new ValueTask(TryLater(context.HttpContext, retryAfter, "Too many new tasks; try again later").ExecuteAsync(context.HttpContext));
            };
            limiter.AddPolicy(SubmitPolicy, context =>
            {
                var services = context.RequestServices;
                var limits = services.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                var options = services.GetRequiredService<IOptions<AuthOptions>>().Value;
                if (!limits.IsEnabled(options.OpenToOthers))
                    return RateLimitPartition.GetNoLimiter("off");

                var partition = options.Mode == AuthMode.Jwt
                    ? "owner:" + Caller.From(context).OwnerId
                    : "address:" + (context.Connection.RemoteIpAddress ?? IPAddress.None);
                return RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.TasksPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
        });
        return builder;
    }

    /// <summary>Identity, then the rate limiter (which partitions by the identified owner), then authorization.</summary>
    public static WebApplication UseApiSecurity(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Mode == AuthMode.Jwt)
            app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    /// <summary>
    /// 429 (or <paramref name="statusCode"/>) with <c>Retry-After</c> (whole seconds, at least 1) and the contract's
    /// <c>{"detail": ...}</c>.
    /// </summary>
    public static Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<DetailResponse> TryLater(
        HttpContext context, TimeSpan retryAfter, string detail, int statusCode = StatusCodes.Status429TooManyRequests)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return TypedResults.Json(new DetailResponse(detail), statusCode: statusCode);
    }

    static void ConfigureJwt(JwtBearerOptions jwt, AuthOptions auth)
    {
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters.NameClaimType = AuthOptions.SubjectClaim;
        jwt.TokenValidationParameters.RoleClaimType = AuthOptions.RoleClaim;
        jwt.TokenValidationParameters.ValidAudience = auth.Audience;
        if (auth.Authority is { } authority)
        {
            jwt.Authority = authority.ToString();
            jwt.RequireHttpsMetadata = authority.Scheme == Uri.UriSchemeHttps || !authority.IsLoopback;
            if (auth.Issuer is { } issuer)
                jwt.TokenValidationParameters.ValidIssuer = issuer;
        }
        else
        {
            jwt.TokenValidationParameters.ValidIssuer = auth.EffectiveIssuer;
            jwt.TokenValidationParameters.IssuerSigningKey = DevelopmentTokens.SigningKey(auth);
            jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }

        // A missing or bad token is answered in the contract's shape, never with an empty body.
        jwt.Events = new JwtBearerEvents
        {
            OnChallenge = async context =>
            {
                context.HandleResponse();
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                var detail = context.AuthenticateFailure is null ? "Not authenticated: a bearer token is required" : "Invalid or expired bearer token";
                await context.Response.WriteAsJsonAsync(new DetailResponse(detail), context.HttpContext.RequestAborted);
            },
        };
    }
}
