namespace Backprop.Core.Tests.Optimizers;

/// <summary>
/// The update rules in float64, written from the textbook formulas, one parameter at a time.
/// L2 weight decay adds λθ to the gradient before the rule sees it.
/// </summary>
internal static class ReferenceOptimizers
{
    /// <summary>Gradient descent: θ ← θ − η (g + λθ).</summary>
    public static void Sgd(double[] theta, double[] gradient, double eta, double lambda)
    {
        for (var i = 0; i < theta.Length; i++)
        {
            var g = gradient[i] + (lambda * theta[i]);
            theta[i] = theta[i] - (eta * g);
        }
    }

    /// <summary>Heavy ball (Polyak; PyTorch's form): b ← μb + g; θ ← θ − η b.</summary>
    public static void Momentum(double[] theta, double[] velocity, double[] gradient, double eta, double mu, double lambda)
    {
        for (var i = 0; i < theta.Length; i++)
        {
            var g = gradient[i] + (lambda * theta[i]);
            velocity[i] = (mu * velocity[i]) + g;
            theta[i] = theta[i] - (eta * velocity[i]);
        }
    }

    /// <summary>
    /// Nesterov (Sutskever et al. 2013, in the form of Bengio et al. 2013 that needs only the gradient at θ):
    /// b ← μb + g; θ ← θ − η (g + μ b).
    /// </summary>
    public static void Nesterov(double[] theta, double[] velocity, double[] gradient, double eta, double mu, double lambda)
    {
        for (var i = 0; i < theta.Length; i++)
        {
            var g = gradient[i] + (lambda * theta[i]);
            velocity[i] = (mu * velocity[i]) + g;
            var lookAhead = g + (mu * velocity[i]);
            theta[i] = theta[i] - (eta * lookAhead);
        }
    }

    /// <summary>
    /// Adam (Kingma &amp; Ba 2015, Algorithm 1) at step t ≥ 1: m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
    /// m̂ = m / (1 − β₁ᵗ); v̂ = v / (1 − β₂ᵗ); θ ← θ − η m̂ / (√v̂ + ε).
    /// </summary>
    public static void Adam(
        double[] theta, double[] m, double[] v, double[] gradient, int t, double eta, double beta1, double beta2, double epsilon, double lambda)
    {
        for (var i = 0; i < theta.Length; i++)
        {
            var g = gradient[i] + (lambda * theta[i]);
            m[i] = (beta1 * m[i]) + ((1 - beta1) * g);
            v[i] = (beta2 * v[i]) + ((1 - beta2) * g * g);
            var mHat = m[i] / (1 - Math.Pow(beta1, t));
            var vHat = v[i] / (1 - Math.Pow(beta2, t));
            theta[i] = theta[i] - (eta * mHat / (Math.Sqrt(vHat) + epsilon));
        }
    }
}
